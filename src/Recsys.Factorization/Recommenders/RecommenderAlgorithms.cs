using Recsys.Baselines;
using Recsys.Evaluation;
using Recsys.Factorization;
using Recsys.Neighborhood;

namespace Recsys.Recommenders;

/// <summary>The built-in algorithms by name.</summary>
public static partial class RecommenderAlgorithms
{
    private static readonly Dictionary<string, (string Description, ModelPurpose Purpose, Func<AlgorithmSettings, IHoldoutValidator?, IRecommenderTrainer> Create)> Catalog =
        new(StringComparer.OrdinalIgnoreCase)
        {
            [GlobalMeanTrainer.Name] = ("the mean training rating for every pair", ModelPurpose.RatingPrediction, static (_, _) => new GlobalMeanTrainer()),
            [BaselineTrainer.Name] = ("regularized user and item biases (Surprise BaselineOnly, ALS)", ModelPurpose.RatingPrediction, static (s, _) => new BaselineTrainer(Apply(new BaselineOptions(), s))),
            [PopularityTrainer.Name] = ("items ranked by interaction count", ModelPurpose.Ranking, static (_, _) => new PopularityTrainer()),
            [PopularityTrainer.PositiveName] = ("items ranked by count of ratings >= 4", ModelPurpose.Ranking, static (_, _) => new PopularityTrainer(new PopularityOptions { Kind = PopularityKind.PositiveCount })),
            [BiasedMatrixFactorizationTrainer.Name] = ("biased matrix factorization by parallel SGD", ModelPurpose.RatingPrediction, static (s, _) => new BiasedMatrixFactorizationTrainer(Apply(new MatrixFactorizationOptions(), s))),
            [AlsTrainer.Name] = ("ALS on explicit ratings with biases (weighted-lambda)", ModelPurpose.RatingPrediction, static (s, _) => new AlsTrainer(Apply(new AlsOptions(), s))),
            [ImplicitAlsTrainer.Name] = ("implicit-feedback ALS (ratings >= 4 as positives, conjugate gradient)", ModelPurpose.Ranking, static (s, _) => new ImplicitAlsTrainer(Apply(new ImplicitAlsOptions(), s))),
            [TruncatedSvdTrainer.Name] = ("randomized truncated SVD of the zero-filled rating matrix (top-N)", ModelPurpose.Ranking, static (s, _) => new TruncatedSvdTrainer(Apply(new TruncatedSvdOptions(), s))),
            [TruncatedSvdTrainer.CenteredName] = ("randomized truncated SVD of user-mean-centred ratings", ModelPurpose.RatingPrediction, static (s, _) => new TruncatedSvdTrainer(Apply(new TruncatedSvdOptions { Centering = SvdCentering.UserMean }, s))),
            [NmfTrainer.Name] = ("NMF of the zero-filled matrix, coordinate descent (scikit-learn semantics)", ModelPurpose.Ranking, static (s, _) => new NmfTrainer(Apply(new NmfOptions(), s))),
            [NmfTrainer.MultiplicativeName] = ("NMF of the zero-filled matrix, multiplicative updates", ModelPurpose.Ranking, static (s, _) => new NmfTrainer(Apply(new NmfOptions { Solver = NmfSolver.MultiplicativeUpdate }, s))),
            [MaskedNmfTrainer.Name] = ("NMF over observed ratings only (Surprise NMF)", ModelPurpose.RatingPrediction, static (s, _) => new MaskedNmfTrainer(Apply(new MaskedNmfOptions(), s))),
            [BlendTrainer.Name] = ("weighted blend fitted on a validation slice (default: biased-mf, svdpp, als, baseline, knn-baseline)", ModelPurpose.RatingPrediction, static (s, v) => CreateBlend(s, v)),
            [HybridTrainer.Name] = ("the original's hybrid: w·truncated-svd + (1-w)·nmf scores, w chosen by NDCG@10 on a validation slice (or --weights)", ModelPurpose.Ranking, static (s, v) => CreateHybrid(s, v)),
            [SvdPlusPlusTrainer.Name] = ("SVD++ (biased MF with implicit feedback) by SGD", ModelPurpose.RatingPrediction, static (s, _) => new SvdPlusPlusTrainer(Apply(SvdPlusPlusTrainer.CreateDefaultOptions(), s))),
            [EaseTrainer.Name] = ("EASE: closed-form item-item model, (XᵀX + λI)⁻¹ over ratings >= 3 of items with >= 10 of them (top-N)", ModelPurpose.Ranking, static (s, _) => new EaseTrainer(Apply(new EaseOptions(), s))),
            [ItemKnnTrainer.Name] = ("item-kNN with baselines (KNNBaseline, shrunk pearson-baseline, k = 40)", ModelPurpose.RatingPrediction, static (s, _) => new ItemKnnTrainer(Apply(new ItemKnnOptions(), s))),
            [ItemKnnTrainer.RankingName] = ("item-kNN top-N: summed shrunk co-occurrence ((n-1)/(n-1+10) for the n users with both items as positives; k = 100) of the most similar items", ModelPurpose.Ranking, static (s, _) => new ItemKnnTrainer(Apply(new ItemKnnOptions { Purpose = ModelPurpose.Ranking, Similarity = ItemSimilarity.Cosine, Neighbors = 100, Shrinkage = 10 }, s))),
        };

    private static readonly string[] SgdSettings = [nameof(AlgorithmSettings.Rank), nameof(AlgorithmSettings.Epochs), nameof(AlgorithmSettings.Regularization), nameof(AlgorithmSettings.LearningRate), nameof(AlgorithmSettings.Threads), nameof(AlgorithmSettings.Seed)];
    private static readonly string[] FactorSettings = [nameof(AlgorithmSettings.Rank), nameof(AlgorithmSettings.Epochs), nameof(AlgorithmSettings.Seed)];

    /// <summary>Which <see cref="AlgorithmSettings"/> each algorithm reads (the others it ignores); kept beside the Apply methods below.</summary>
    private static readonly Dictionary<string, string[]> Reads = new(StringComparer.OrdinalIgnoreCase)
    {
        [GlobalMeanTrainer.Name] = [],
        [PopularityTrainer.Name] = [],
        [PopularityTrainer.PositiveName] = [],
        [BaselineTrainer.Name] = [nameof(AlgorithmSettings.Epochs), nameof(AlgorithmSettings.Regularization)],
        [BiasedMatrixFactorizationTrainer.Name] = SgdSettings,
        [SvdPlusPlusTrainer.Name] = SgdSettings,
        [AlsTrainer.Name] = [.. FactorSettings, nameof(AlgorithmSettings.Regularization)],
        [ImplicitAlsTrainer.Name] = [.. FactorSettings, nameof(AlgorithmSettings.Regularization), nameof(AlgorithmSettings.Alpha)],
        [TruncatedSvdTrainer.Name] = FactorSettings,
        [TruncatedSvdTrainer.CenteredName] = FactorSettings,
        [NmfTrainer.Name] = FactorSettings,
        [NmfTrainer.MultiplicativeName] = FactorSettings,
        [MaskedNmfTrainer.Name] = [.. FactorSettings, nameof(AlgorithmSettings.Regularization)],
        [EaseTrainer.Name] = [nameof(AlgorithmSettings.Regularization), nameof(AlgorithmSettings.Threads)],
        [ItemKnnTrainer.Name] = [nameof(AlgorithmSettings.Neighbors), nameof(AlgorithmSettings.Shrinkage), nameof(AlgorithmSettings.Threads)],
        [ItemKnnTrainer.RankingName] = [nameof(AlgorithmSettings.Neighbors), nameof(AlgorithmSettings.Shrinkage), nameof(AlgorithmSettings.Threads)],
        [BlendTrainer.Name] = [nameof(AlgorithmSettings.Components), nameof(AlgorithmSettings.Threads), nameof(AlgorithmSettings.Seed)],
        [HybridTrainer.Name] = [.. FactorSettings, nameof(AlgorithmSettings.Components), nameof(AlgorithmSettings.Weights), nameof(AlgorithmSettings.Threads)],
    };

    /// <summary>Gets the names of the built-in algorithms, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Catalog.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Gets a one-line description of an algorithm.</summary>
    /// <param name="name">The algorithm name.</param>
    /// <returns>The description.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static string Describe(string name) => Lookup(name).Description;

    /// <summary>
    /// Gets what an algorithm is for: the rating models (baselines, biased MF, SVD++, explicit ALS, masked NMF,
    /// blends, centred SVD) predict ratings; the top-N models (implicit ALS, zero-filled SVD and NMF, popularity) rank.
    /// </summary>
    /// <param name="name">The algorithm name (case-insensitive); a model's <see cref="IRecommender.Algorithm"/>.</param>
    /// <returns>The purpose, or <see langword="null"/> when the algorithm is not built in.</returns>
    public static ModelPurpose? PurposeOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Catalog.TryGetValue(name, out var entry) ? entry.Purpose : null;
    }

    /// <summary>
    /// Gets the <see cref="AlgorithmSettings"/> properties an algorithm reads (for example <c>Rank</c>, <c>Epochs</c>);
    /// it ignores the others, so a tool can tell its user that a setting does not apply.
    /// </summary>
    /// <param name="name">The algorithm name (case-insensitive).</param>
    /// <returns>The property names.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static IReadOnlyList<string> SettingsOf(string name)
    {
        _ = Lookup(name);
        return Reads[name];
    }

    /// <summary>Creates a trainer for an algorithm.</summary>
    /// <param name="name">The algorithm name (case-insensitive).</param>
    /// <param name="settings">Hyper-parameters to override, or <see langword="null"/> for the algorithm's defaults.</param>
    /// <returns>The trainer.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">A setting is out of range for the algorithm.</exception>
    /// <param name="validator">
    /// What <c>blend</c> and <c>hybrid</c> fit their weights with on a validation slice (<c>HoldoutValidator.Default</c>
    /// from Recsys.Evaluation); the other algorithms do not use it.
    /// </param>
    public static IRecommenderTrainer Create(string name, AlgorithmSettings? settings = null, IHoldoutValidator? validator = null) => Lookup(name).Create(settings ?? new AlgorithmSettings(), validator);

    private static readonly string[] DefaultHybrid = [TruncatedSvdTrainer.Name, NmfTrainer.Name];
    private static readonly string[] DefaultBlend = [BiasedMatrixFactorizationTrainer.Name, SvdPlusPlusTrainer.Name, AlsTrainer.Name, BaselineTrainer.Name, ItemKnnTrainer.Name];

    private static HybridTrainer CreateHybrid(AlgorithmSettings settings, IHoldoutValidator? validator)
    {
        if (settings.Weights is null && validator is null)
        {
            throw new ArgumentException($"'{HybridTrainer.Name}' chooses its weight on a validation slice: pass an IHoldoutValidator (HoldoutValidator.Default from Recsys.Evaluation) to RecommenderAlgorithms.Create, or fixed weights.", nameof(validator));
        }

        var names = settings.Components ?? DefaultHybrid;
        if (names.Any(static n => string.Equals(n, HybridTrainer.Name, StringComparison.OrdinalIgnoreCase) || string.Equals(n, BlendTrainer.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException("A hybrid cannot contain a hybrid or a blend.", nameof(settings));
        }

        var componentSettings = new AlgorithmSettings { Rank = settings.Rank, Epochs = settings.Epochs, Threads = settings.Threads, Seed = settings.Seed };
        return new HybridTrainer([.. names.Select(n => Create(n, componentSettings))], settings.Weights, settings.Seed ?? 42, validator);
    }

    private static BlendTrainer CreateBlend(AlgorithmSettings settings, IHoldoutValidator? validator)
    {
        if (validator is null)
        {
            throw new ArgumentException($"'{BlendTrainer.Name}' fits its weights on a validation slice: pass an IHoldoutValidator (HoldoutValidator.Default from Recsys.Evaluation) to RecommenderAlgorithms.Create.", nameof(validator));
        }

        var names = settings.Components ?? DefaultBlend;
        if (names.Any(static n => string.Equals(n, BlendTrainer.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException("A blend cannot contain a blend.", nameof(settings));
        }

        var componentSettings = new AlgorithmSettings { Threads = settings.Threads, Seed = settings.Seed };
        return new BlendTrainer([.. names.Select(n => Create(n, componentSettings))], validator, new BlendOptions { Seed = settings.Seed ?? 42 });
    }

    private static (string Description, ModelPurpose Purpose, Func<AlgorithmSettings, IHoldoutValidator?, IRecommenderTrainer> Create) Lookup(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Catalog.TryGetValue(name, out var entry)
            ? entry
            : throw new ArgumentException($"Unknown algorithm '{name}'; known algorithms: {string.Join(", ", Names)}.", nameof(name));
    }

    private static BaselineOptions Apply(BaselineOptions o, AlgorithmSettings s)
    {
        o.Epochs = s.Epochs ?? o.Epochs;
        if (s.Regularization is { } reg)
        {
            o.UserRegularization = reg;
            o.ItemRegularization = reg;
        }

        return o;
    }

    private static TruncatedSvdOptions Apply(TruncatedSvdOptions o, AlgorithmSettings s)
    {
        o.Rank = s.Rank ?? o.Rank;
        o.PowerIterations = s.Epochs ?? o.PowerIterations;
        o.Seed = s.Seed ?? o.Seed;
        return o;
    }

    private static NmfOptions Apply(NmfOptions o, AlgorithmSettings s)
    {
        o.Rank = s.Rank ?? o.Rank;
        o.MaxIterations = s.Epochs ?? o.MaxIterations;
        o.Seed = s.Seed ?? o.Seed;
        return o;
    }

    private static MaskedNmfOptions Apply(MaskedNmfOptions o, AlgorithmSettings s)
    {
        o.Rank = s.Rank ?? o.Rank;
        o.Epochs = s.Epochs ?? o.Epochs;
        if (s.Regularization is { } reg)
        {
            o.UserRegularization = reg;
            o.ItemRegularization = reg;
        }

        o.Seed = s.Seed ?? o.Seed;
        return o;
    }

    private static AlsOptions Apply(AlsOptions o, AlgorithmSettings s)
    {
        o.Rank = s.Rank ?? o.Rank;
        o.Iterations = s.Epochs ?? o.Iterations;
        o.Regularization = s.Regularization ?? o.Regularization;
        o.Seed = s.Seed ?? o.Seed;
        return o;
    }

    private static ImplicitAlsOptions Apply(ImplicitAlsOptions o, AlgorithmSettings s)
    {
        o.Rank = s.Rank ?? o.Rank;
        o.Iterations = s.Epochs ?? o.Iterations;
        o.Regularization = s.Regularization ?? o.Regularization;
        o.Alpha = s.Alpha ?? o.Alpha;
        o.Seed = s.Seed ?? o.Seed;
        return o;
    }

    private static EaseOptions Apply(EaseOptions o, AlgorithmSettings s)
    {
        o.Regularization = s.Regularization ?? o.Regularization;
        o.Threads = s.Threads ?? o.Threads;
        return o;
    }

    private static ItemKnnOptions Apply(ItemKnnOptions o, AlgorithmSettings s)
    {
        o.Neighbors = s.Neighbors ?? o.Neighbors;
        o.Shrinkage = s.Shrinkage ?? o.Shrinkage;
        o.Threads = s.Threads ?? o.Threads;
        return o;
    }

    private static MatrixFactorizationOptions Apply(MatrixFactorizationOptions o, AlgorithmSettings s)
    {
        o.Rank = s.Rank ?? o.Rank;
        o.Epochs = s.Epochs ?? o.Epochs;
        o.Regularization = s.Regularization ?? o.Regularization;
        o.LearningRate = s.LearningRate ?? o.LearningRate;
        o.Threads = s.Threads ?? o.Threads;
        o.Seed = s.Seed ?? o.Seed;
        return o;
    }
}
