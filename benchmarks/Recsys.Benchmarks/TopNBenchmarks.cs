using BenchmarkDotNet.Attributes;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Benchmarks;

/// <summary>Top-10 for one user (seen items excluded) over 8,928 (the MovieLens split's catalog), 10 k, 100 k and 1 M items at rank 32, 64 and 128.</summary>
[MemoryDiagnoser]
public class TopNBenchmarks
{
    private readonly ScoredItem[] _destination = new ScoredItem[10];
    private FactorModel _model = null!;
    private float[] _scores = null!;

    [Params(32, 64, 128)]
    public int Rank { get; set; }

    [Params(8_928, 10_000, 100_000, 1_000_000)]
    public int Items { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const int Users = 100;
        var random = new Random(42);
        var userIds = IdMap.Create(Enumerable.Range(0, Users).Select(u => $"u{u}"));
        var itemIds = IdMap.Create(Enumerable.Range(0, Items).Select(i => $"i{i}"));
        var offsets = Enumerable.Range(0, Users + 1).Select(u => u * 20).ToArray();
        var seen = Enumerable.Range(0, Users * 20).Select(_ => random.Next(Items)).ToArray();
        for (var u = 0; u < Users; u++)
        {
            Array.Sort(seen, u * 20, 20);
        }

        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        _model = new FactorModel("bench", "{}", new TrainingFootprint(userIds, itemIds, offsets, seen, 0.5f, 5f, 3.5), new FactorModelParts
        {
            Global = 3.5,
            UserBias = Random(Users),
            ItemBias = Random(Items),
            Rank = Rank,
            UserFactors = Random(Users * Rank),
            ItemFactors = Random(Items * Rank),
            ColdScores = Random(Items),
        });
        _scores = new float[Items];
    }

    [Benchmark(Baseline = true, Description = "Recommend top-10")]
    public int Recommend() => _model.Recommend(7, _destination);

    [Benchmark(Description = "scores only (kernel)")]
    public float Scores()
    {
        ScoreKernel.Scores(_model.Parts.ItemFactors, Rank, _model.Parts.UserFactor(7), _scores);
        return _scores[0];
    }
}
