using BenchmarkDotNet.Attributes;
using Recsys.Factorization;
using Recsys.Recommenders;

namespace Recsys.Benchmarks;

/// <summary>Save and load of a biased MF model (rank 50) trained on the MovieLens split, in memory.</summary>
[MemoryDiagnoser]
public class ModelFileBenchmarks
{
    private IRecommender _model = null!;
    private byte[] _bytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Epochs = 5 }).Fit(BenchmarkData.MovieLensTrain());
        using var stream = new MemoryStream();
        ModelFile.Write(stream, _model);
        _bytes = stream.ToArray();
    }

    [Benchmark(Baseline = true)]
    public long Save()
    {
        using var stream = new MemoryStream(_bytes.Length);
        ModelFile.Write(stream, _model);
        return stream.Length;
    }

    [Benchmark]
    public ModelPackage Load() => ModelFile.Read(new MemoryStream(_bytes, writable: false));
}
