using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Recsys.Data;
using Recsys.Factorization;
using Recsys.Recommenders;

namespace Recsys.Benchmarks;

/// <summary>Biased MF (rank 64, 20 epochs, every core) on synthetic data of 1 M and 10 M interactions; one cold run each.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class LargeFitBenchmarks
{
    private InteractionDataset _data = null!;

    [Params(1_000_000, 10_000_000)]
    public int Interactions { get; set; }

    [GlobalSetup]
    public void Setup() => _data = BenchmarkData.Synthetic(Interactions / 100, Math.Max(2_000, Interactions / 500), Interactions);

    [Benchmark(Baseline = true)]
    public IRecommender BiasedMfRank64Epochs20() =>
        new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 64, Epochs = 20 }).Fit(_data);
}
