using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra.Double;
using Recsys.Data;
using Recsys.Neighborhood;
using Recsys.Numerics;
using Recsys.Recommenders;

namespace Recsys.Benchmarks;

/// <summary>
/// The neighbourhood models' fits on the MovieLens latest-small training split (80,668 ratings) with their defaults,
/// and EASE's inverse: the hand-written blocked SIMD sweep (<c>SymmetricInverse</c>) against MathNet.Numerics
/// (managed provider: Cholesky, then solving for the identity) on the same 2,000-item Gram matrix.
/// </summary>
[MemoryDiagnoser]
public class NeighborhoodBenchmarks
{
    private const int InverseSize = 2_000;
    private InteractionDataset _train = null!;
    private float[] _gram = null!;

    [GlobalSetup]
    public void Setup()
    {
        _train = BenchmarkData.MovieLensTrain();

        // XᵀX + λI over the 2,000 most rated items of the split: the matrix EASE inverts.
        var top = Enumerable.Range(0, _train.Items.Count).OrderByDescending(i => _train.GetItemUsers(i).Length).Take(InverseSize).ToArray();
        var column = Enumerable.Repeat(-1, _train.Items.Count).ToArray();
        for (var c = 0; c < top.Length; c++)
        {
            column[top[c]] = c;
        }

        _gram = new float[InverseSize * InverseSize];
        for (var u = 0; u < _train.Users.Count; u++)
        {
            var items = _train.GetUserItems(u).ToArray().Select(i => column[i]).Where(c => c >= 0).ToArray();
            foreach (var a in items)
            {
                foreach (var b in items)
                {
                    _gram[(a * InverseSize) + b]++;
                }
            }
        }

        for (var a = 0; a < InverseSize; a++)
        {
            _gram[(a * InverseSize) + a] += 250;
        }
    }

    [Benchmark(Description = "ease (defaults: λ 250, ratings ≥ 3, items with ≥ 10)")]
    public IRecommender Ease() => new EaseTrainer().Fit(_train);

    [Benchmark(Description = "knn-baseline (k 40, 1,000 kept per item)")]
    public IRecommender KnnBaseline() => new ItemKnnTrainer().Fit(_train);

    [Benchmark(Description = "item-knn top-N (cosine, k 100)")]
    public IRecommender ItemKnn() => RecommenderAlgorithms.Create("item-knn").Fit(_train);

    [Benchmark(Baseline = true, Description = "inverse 2,000²: blocked SIMD sweep (float)")]
    public float[] InverseSweep()
    {
        var m = (float[])_gram.Clone();
        SymmetricInverse.InvertInPlace(m, InverseSize, Environment.ProcessorCount, CancellationToken.None);
        return m;
    }

    [Benchmark(Description = "inverse 2,000²: MathNet Cholesky solve (double)")]
    public object InverseMathNet()
    {
        var m = new DenseMatrix(InverseSize, InverseSize, Array.ConvertAll(_gram, static v => (double)v));
        return m.Cholesky().Solve(DenseMatrix.CreateIdentity(InverseSize));
    }
}
