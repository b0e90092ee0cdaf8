using FsCheck.Xunit;
using Recsys.Baselines;
using Recsys.Data;
using Recsys.Evaluation;

namespace Recsys.Factorization.Tests.Factorization;

public sealed class TrainerBehaviourTests
{
    private static readonly InteractionDataset Data = SyntheticDataGenerator.CreateDefault();

    private static FactorModel AsFactor(IRecommender model) => Assert.IsType<FactorModel>(model);

    [Fact]
    public void BiasedMf_OneThreadSameSeed_BitIdentical()
    {
        var options = new MatrixFactorizationOptions { Threads = 1, Epochs = 5, Seed = 9 };

        var a = AsFactor(new BiasedMatrixFactorizationTrainer(options).Fit(Data)).Parts;
        var b = AsFactor(new BiasedMatrixFactorizationTrainer(options).Fit(Data)).Parts;

        Assert.Equal(a.UserFactors, b.UserFactors);
        Assert.Equal(a.ItemFactors, b.ItemFactors);
        Assert.Equal(a.ItemBias, b.ItemBias);
    }

    [Fact]
    public void BiasedMf_TwoThreads_RmseWithin0002OfOneThread()
    {
        var split = DataSplitter.RandomHoldout(Data, 0.2, 5);

        var one = Evaluator.FitAndEvaluate(new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Threads = 1 }), split);
        var two = Evaluator.FitAndEvaluate(new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Threads = 2 }), split);
        var four = Evaluator.FitAndEvaluate(new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Threads = 4 }), split);

        Assert.InRange(two.Rmse, one.Rmse - 0.002, one.Rmse + 0.002);
        Assert.InRange(four.Rmse, one.Rmse - 0.002, one.Rmse + 0.002);
    }

    [Fact]
    public void BiasedMf_EarlyStopping_StopsBeforeTheLastEpoch()
    {
        var epochs = new List<int>();
        var trainer = new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Epochs = 300, LearningRate = 0.05, LearningRateDecay = 1, Regularization = 0.001, ValidationFraction = 0.1, Patience = 2 });

        trainer.Fit(Data, new SyncProgress(p => epochs.Add(p.Epoch)), CancellationToken.None);

        Assert.InRange(epochs.Count, 2, 299);
    }

    public static TheoryData<string> IterativeAlgorithms() =>
        ["baseline", "biased-mf", "svdpp", "als", "als-implicit", "nmf", "nmf-mu", "nmf-masked"];

    [Theory]
    [MemberData(nameof(IterativeAlgorithms))]
    public void Fit_CancelledAfterTwoEpochs_StopsWithinOneEpoch(string algorithm)
    {
        using var cancellation = new CancellationTokenSource();
        var epochs = new List<int>();
        var progress = new SyncProgress(p =>
        {
            epochs.Add(p.Epoch);
            if (p.Epoch == 2)
            {
                cancellation.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() =>
            RecommenderAlgorithms.Create(algorithm, new AlgorithmSettings { Epochs = 50 }, HoldoutValidator.Default).Fit(Data, progress, cancellation.Token));

        Assert.Equal([1, 2], epochs);
    }

    [Fact]
    public void Als_Loss_NeverIncreases()
    {
        var losses = new List<double>();

        new AlsTrainer(new AlsOptions { Rank = 8, Iterations = 12 }).Fit(Data, new SyncProgress(p => losses.Add(p.Loss)), CancellationToken.None);

        Assert.Equal(12, losses.Count);
        for (var i = 1; i < losses.Count; i++)
        {
            Assert.True(losses[i] <= losses[i - 1] * (1 + 1e-9), $"iteration {i + 1}: {losses[i]} > {losses[i - 1]}");
        }
    }

    [Fact]
    public void ImplicitAls_ExactConjugateGradient_LossNeverIncreases()
    {
        var losses = new List<double>();

        new ImplicitAlsTrainer(new ImplicitAlsOptions { Rank = 8, Iterations = 10, ConjugateGradientSteps = 8, Regularization = 1 })
            .Fit(Data, new SyncProgress(p => losses.Add(p.Loss)), CancellationToken.None);

        for (var i = 1; i < losses.Count; i++)
        {
            Assert.True(losses[i] <= losses[i - 1] * (1 + 1e-5), $"iteration {i + 1}: {losses[i]} > {losses[i - 1]}");
        }
    }

    [Property(MaxTest = 15)]
    public bool Nmf_AnySolverAndInit_FactorsAreNonNegative(ushort seed, int users, int items, int perUser, byte variant)
    {
        var data = TestDatasets.Synthetic(seed, users, items, perUser);
        IRecommenderTrainer trainer = (variant % 5) switch
        {
            0 => new NmfTrainer(new NmfOptions { Rank = 4, Init = NmfInit.Nndsvd }),
            1 => new NmfTrainer(new NmfOptions { Rank = 4, Init = NmfInit.Nndsvda }),
            2 => new NmfTrainer(new NmfOptions { Rank = 4, Init = NmfInit.Random, Solver = NmfSolver.MultiplicativeUpdate }),
            3 => new MaskedNmfTrainer(new MaskedNmfOptions { Rank = 4, Epochs = 20 }),
            _ => new MaskedNmfTrainer(new MaskedNmfOptions { Rank = 4, Epochs = 20, Biased = true }),
        };

        var parts = AsFactor(trainer.Fit(data)).Parts;

        return parts.UserFactors.All(static x => x >= 0) && parts.ItemFactors.All(static x => x >= 0)
            && parts.UserFactors.All(float.IsFinite) && parts.ItemFactors.All(float.IsFinite);
    }

    [Fact]
    public void Blend_WeightsAreFittedNotFixed()
    {
        var split = DataSplitter.RandomHoldout(Data, 0.2, 2);
        var blend = new BlendTrainer([new BaselineTrainer(), new GlobalMeanTrainer(), new BiasedMatrixFactorizationTrainer()], HoldoutValidator.Default, new BlendOptions { SupportFeatures = false });

        var blended = Evaluator.FitAndEvaluate(blend, split);
        var mf = Evaluator.FitAndEvaluate(new BiasedMatrixFactorizationTrainer(), split);

        Assert.Equal(4, blend.LastWeights.Count);
        Assert.True(blended.Rmse <= mf.Rmse + 0.005, $"blend {blended.Rmse} vs biased MF {mf.Rmse}");
        Assert.True(Math.Abs(blend.LastWeights[3]) > 0.3, $"the MF weight is {blend.LastWeights[3]}");
    }

    [Fact]
    public void SimilarItems_CosineOnItemFactors_SortedAndExcludesTheItem()
    {
        var model = new TruncatedSvdTrainer(new TruncatedSvdOptions { Rank = 8 }).Fit(Data);
        var similarity = Assert.IsAssignableFrom<IItemSimilarity>(model);
        var buffer = new ScoredItem[20];

        var written = similarity.SimilarItems(3, buffer);

        Assert.Equal(20, written);
        Assert.DoesNotContain(buffer, x => x.Item == 3);
        Assert.All(buffer, x => Assert.InRange(x.Score, -1.0001f, 1.0001f));
        Assert.True(buffer.Zip(buffer.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        var parts = AsFactor(model).Parts;
        var expected = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(parts.ItemFactor(3), parts.ItemFactor(buffer[0].Item));
        Assert.Equal(expected, buffer[0].Score, 4);
    }

    [Fact]
    public void SimilarItems_BiasOnlyModel_ExplainsWhy()
    {
        var model = (IItemSimilarity)new BaselineTrainer().Fit(Data);

        var error = Assert.Throws<NotSupportedException>(() => model.SimilarItems(0, new ScoredItem[3]));
        Assert.Contains("no item factors", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [Theory]
    [InlineData("blend")]
    [InlineData("hybrid")]
    public void WeightFittingAlgorithms_WithoutAValidator_AreRefusedNamingTheFix(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => RecommenderAlgorithms.Create(name));

        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("HoldoutValidator.Default", error.Message, StringComparison.Ordinal);
        Assert.NotNull(RecommenderAlgorithms.Create(name, null, HoldoutValidator.Default));
        Assert.NotNull(RecommenderAlgorithms.Create("hybrid", new AlgorithmSettings { Weights = [0.6, 0.4] })); // fixed weights need none
    }

    [Fact]
    public void Blend_FitsItsWeightsOnTheValidatorsSplit()
    {
        var validator = new RecordingValidator();

        RecommenderAlgorithms.Create("blend", new AlgorithmSettings { Components = ["baseline", "global-mean"] }, validator).Fit(Data);

        Assert.Equal(1, validator.Splits); // one validation slice, from the validator given
    }

    private sealed class RecordingValidator : IHoldoutValidator
    {
        public int Splits;

        public DataSplit Split(InteractionDataset data, double fraction, ulong seed)
        {
            Splits++;
            return HoldoutValidator.Default.Split(data, fraction, seed);
        }

        public EvaluationResult Evaluate(IRecommender model, InteractionDataset heldOut, CancellationToken cancellationToken) =>
            HoldoutValidator.Default.Evaluate(model, heldOut, cancellationToken);
    }
}
