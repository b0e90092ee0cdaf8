using Recsys.Baselines;
using Recsys.Factorization;
using Recsys.Neighborhood;

namespace Recsys.Recommenders;

// The values an algorithm trains with, read back from the options its factory builds, so a registry records and a
// dashboard shows "rank=64 epochs=20 …" rather than "defaults".
public static partial class RecommenderAlgorithms
{
    /// <summary>
    /// Gets the values an algorithm trains with for the settings it reads (<see cref="SettingsOf"/>): the given value
    /// where one is set, otherwise the algorithm's default. Settings it does not read stay <see langword="null"/>, and
    /// a <c>hybrid</c>'s <see cref="AlgorithmSettings.Weights"/> stay <see langword="null"/> when they are fitted.
    /// </summary>
    /// <param name="name">The algorithm name (case-insensitive).</param>
    /// <param name="settings">The settings given, or <see langword="null"/> for none.</param>
    /// <returns>A new <see cref="AlgorithmSettings"/>; resolving it again gives the same values.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static AlgorithmSettings Resolve(string name, AlgorithmSettings? settings)
    {
        _ = Lookup(name);
        var s = settings ?? new AlgorithmSettings();
        var resolved = name.ToLowerInvariant() switch
        {
            GlobalMeanTrainer.Name or PopularityTrainer.Name or PopularityTrainer.PositiveName => new AlgorithmSettings(),
            BaselineTrainer.Name => Read(Apply(new BaselineOptions(), s)),
            BiasedMatrixFactorizationTrainer.Name => Read(Apply(new MatrixFactorizationOptions(), s)),
            SvdPlusPlusTrainer.Name => Read(Apply(SvdPlusPlusTrainer.CreateDefaultOptions(), s)),
            AlsTrainer.Name => Read(Apply(new AlsOptions(), s)),
            ImplicitAlsTrainer.Name => Read(Apply(new ImplicitAlsOptions(), s)),
            TruncatedSvdTrainer.Name or TruncatedSvdTrainer.CenteredName => Read(Apply(new TruncatedSvdOptions(), s)),
            NmfTrainer.Name or NmfTrainer.MultiplicativeName => Read(Apply(new NmfOptions(), s)),
            MaskedNmfTrainer.Name => Read(Apply(new MaskedNmfOptions(), s)),
            EaseTrainer.Name => Read(Apply(new EaseOptions(), s)),
            ItemKnnTrainer.Name => Read(Apply(new ItemKnnOptions(), s)),
            ItemKnnTrainer.RankingName => Read(Apply(new ItemKnnOptions { Neighbors = 100, Shrinkage = 10 }, s)),
            BlendTrainer.Name => new AlgorithmSettings { Components = s.Components ?? DefaultBlend, Threads = s.Threads ?? 0, Seed = s.Seed ?? 42 },
            HybridTrainer.Name => new AlgorithmSettings
            {
                Rank = s.Rank,
                Epochs = s.Epochs,
                Components = s.Components ?? DefaultHybrid,
                Weights = s.Weights,
                Threads = s.Threads ?? 0,
                Seed = s.Seed ?? 42,
            },
            _ => throw new ArgumentException($"Algorithm '{name}' has no resolver.", nameof(name)),
        };

        return resolved;
    }

    private static AlgorithmSettings Read(BaselineOptions o) => new() { Epochs = o.Epochs, Regularization = o.UserRegularization };

    private static AlgorithmSettings Read(MatrixFactorizationOptions o) =>
        new() { Rank = o.Rank, Epochs = o.Epochs, Regularization = o.Regularization, LearningRate = o.LearningRate, Threads = o.Threads, Seed = o.Seed };

    private static AlgorithmSettings Read(AlsOptions o) => new() { Rank = o.Rank, Epochs = o.Iterations, Regularization = o.Regularization, Seed = o.Seed };

    private static AlgorithmSettings Read(ImplicitAlsOptions o) => new() { Rank = o.Rank, Epochs = o.Iterations, Regularization = o.Regularization, Alpha = o.Alpha, Seed = o.Seed };

    private static AlgorithmSettings Read(TruncatedSvdOptions o) => new() { Rank = o.Rank, Epochs = o.PowerIterations, Seed = o.Seed };

    private static AlgorithmSettings Read(NmfOptions o) => new() { Rank = o.Rank, Epochs = o.MaxIterations, Seed = o.Seed };

    private static AlgorithmSettings Read(MaskedNmfOptions o) => new() { Rank = o.Rank, Epochs = o.Epochs, Regularization = o.UserRegularization, Seed = o.Seed };

    private static AlgorithmSettings Read(EaseOptions o) => new() { Regularization = o.Regularization, Threads = o.Threads };

    private static AlgorithmSettings Read(ItemKnnOptions o) => new() { Neighbors = o.Neighbors, Shrinkage = o.Shrinkage, Threads = o.Threads };
}
