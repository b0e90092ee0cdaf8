using BenchmarkDotNet.Attributes;
using Recsys.Baselines;
using Recsys.Data;
using Recsys.Factorization;
using Recsys.Recommenders;

namespace Recsys.Benchmarks;

/// <summary>Fit time of every algorithm on the MovieLens latest-small training split (80,668 ratings), with the settings.</summary>
[MemoryDiagnoser]
public class FitBenchmarks
{
    private InteractionDataset _train = null!;

    [GlobalSetup]
    public void Setup() => _train = BenchmarkData.MovieLensTrain();

    [Benchmark(Baseline = true, Description = "baseline (biases, 10 ALS epochs)")]
    public IRecommender Baseline() => new BaselineTrainer().Fit(_train);

    [Benchmark(Description = "biased-mf rank 50, 50 epochs")]
    public IRecommender BiasedMf() => new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 50, Epochs = 50 }).Fit(_train);

    [Benchmark(Description = "svdpp rank 20, 30 epochs")]
    public IRecommender SvdPlusPlus() => new SvdPlusPlusTrainer().Fit(_train);

    [Benchmark(Description = "truncated-svd k=50")]
    public IRecommender TruncatedSvd() => new TruncatedSvdTrainer(new TruncatedSvdOptions { Rank = 50 }).Fit(_train);

    [Benchmark(Description = "nmf k=10 (cd)")]
    public IRecommender Nmf() => new NmfTrainer(new NmfOptions { Rank = 10 }).Fit(_train);

    [Benchmark(Description = "als explicit rank 20, 15 it")]
    public IRecommender Als() => new AlsTrainer().Fit(_train);

    [Benchmark(Description = "als-implicit 64 factors, 15 it")]
    public IRecommender ImplicitAls() => new ImplicitAlsTrainer(new ImplicitAlsOptions { Rank = 64, Iterations = 15 }).Fit(_train);
}
