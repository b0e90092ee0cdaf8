using FsCheck.Xunit;
using Recsys.Factorization;

namespace Recsys.Factorization.Tests.Factorization;

public sealed class KernelTests
{
    private static float[] Vector(int seed, int length, int padded)
    {
        var random = new Random(seed);
        var v = new float[padded];
        for (var i = 0; i < length; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }

    [Property(MaxTest = 200)]
    public bool SgdUpdate_Simd_EqualsScalarWithin1e5(int seed, byte rankByte)
    {
        var rank = 1 + (rankByte % 130);
        var stride = SgdKernel.Stride(rank);
        var p1 = Vector(seed, rank, stride);
        var q1 = Vector(seed + 1, rank, stride);
        var p2 = (float[])p1.Clone();
        var q2 = (float[])q1.Clone();

        var e1 = SgdKernel.Update(p1, q1, 3.2f, 4.5f, 0.02f, 0.08f);
        var e2 = SgdKernel.UpdateScalar(p2, q2, 3.2f, 4.5f, 0.02f, 0.08f);

        static bool Close(float a, float b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(b));
        return Close(e1, e2)
            && p1.Zip(p2).All(x => Close(x.First, x.Second))
            && q1.Zip(q2).All(x => Close(x.First, x.Second))
            && p1.Skip(rank).All(x => x == 0) && q1.Skip(rank).All(x => x == 0);
    }

    [Property(MaxTest = 100)]
    public bool ScoreKernel_TensorPrimitives_EqualsScalarWithin1e5(int seed, byte rankByte, byte itemsByte)
    {
        var rank = 1 + (rankByte % 130);
        var items = 1 + itemsByte;
        var factors = Vector(seed, items * rank, items * rank);
        var user = Vector(seed + 7, rank, rank);
        var bias = Vector(seed + 9, items, items);
        var fast = new float[items];
        var reference = new float[items];
        var fastNoBias = new float[items];
        var referenceNoBias = new float[items];

        Recsys.Recommenders.ScoreKernel.Scores(factors, rank, user, bias, 3.5f, fast);
        Recsys.Recommenders.ScoreKernel.ScoresScalar(factors, rank, user, bias, 3.5f, reference);
        Recsys.Recommenders.ScoreKernel.Scores(factors, rank, user, fastNoBias);
        Recsys.Recommenders.ScoreKernel.ScoresScalar(factors, rank, user, [], 0f, referenceNoBias);

        static bool Close((float First, float Second) x) => Math.Abs(x.First - x.Second) <= 1e-5f * Math.Max(1f, Math.Abs(x.Second));
        return fast.Zip(reference).All(Close) && fastNoBias.Zip(referenceNoBias).All(Close);
    }
}
