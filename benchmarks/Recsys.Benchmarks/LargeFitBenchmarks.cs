using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Factorization;
using Recsys.Recommenders;

namespace Recsys.Benchmarks;

/// <summary>Biased MF (rank 64, 20 epochs, every core) on synthetic data of 1 M and 10 M interactions; three runs after one warm-up.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class LargeFitBenchmarks
{
    private InteractionDataset _data = null!;

    [Params(1_000_000, 10_000_000)]
    public int Interactions { get; set; }

    [GlobalSetup]
    public void Setup() => _data = BenchmarkData.SyntheticOfSize(Interactions);

    [Benchmark(Baseline = true)]
    public IRecommender BiasedMfRank64Epochs20() =>
        new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 64, Epochs = 20 }).Fit(_data);
}

/// <summary>
/// Every factorization algorithm at its defaults (rank 64 where it has a rank) on synthetic data of 1 M and 10 M
/// interactions (users = n/100, items = n/500); one cold run each, as a retraining job sees it.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 1)]
public class LargeFitPerAlgorithmBenchmarks
{
    private InteractionDataset _data = null!;

    [Params(1_000_000, 10_000_000)]
    public int Interactions { get; set; }

    [Params("baseline", "biased-mf", "svdpp", "als", "als-implicit", "truncated-svd", "nmf")]
    public string Algorithm { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _data = BenchmarkData.SyntheticOfSize(Interactions);

    [Benchmark]
    public IRecommender Fit() => RecommenderAlgorithms.Create(Algorithm, new AlgorithmSettings { Rank = Algorithm == "baseline" ? null : 64 }, HoldoutValidator.Default).Fit(_data);
}
