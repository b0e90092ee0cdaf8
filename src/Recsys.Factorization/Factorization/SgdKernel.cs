using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recsys.Factorization;

/// <summary>
/// The per-rating update of biased matrix factorization by SGD, on factor rows padded to a multiple of the SIMD
/// width (padding stays zero). Returns the prediction error before the update.
/// </summary>
internal static class SgdKernel
{
    public static int Stride(int rank) => (rank + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Update(Span<float> p, Span<float> q, float baseline, float rating, float learningRate, float regularization)
    {
        var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        var qv = MemoryMarshal.Cast<float, Vector<float>>(q);
        var acc = Vector<float>.Zero;
        for (var k = 0; k < pv.Length; k++)
        {
            acc += pv[k] * qv[k];
        }

        var error = rating - (baseline + Vector.Sum(acc));
        var e = new Vector<float>(error * learningRate);
        var decay = new Vector<float>(1f - (learningRate * regularization));
        for (var k = 0; k < pv.Length; k++)
        {
            var pk = pv[k];
            var qk = qv[k];
            pv[k] = (pk * decay) + (e * qk);
            qv[k] = (qk * decay) + (e * pk);
        }

        return error;
    }

    /// <summary>The update of biased matrix factorization: factors by <see cref="Update"/> against μ + b_u + b_i, then the two biases; returns the error.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float UpdateBiased(Span<float> p, Span<float> q, ref float userBias, ref float itemBias, float mu, float rating, float learningRate, float regularization, float biasRegularization)
    {
        var error = Update(p, q, mu + userBias + itemBias, rating, learningRate, regularization);
        userBias += learningRate * (error - (biasRegularization * userBias));
        itemBias += learningRate * (error - (biasRegularization * itemBias));
        return error;
    }

    /// <summary>The scalar reference of <see cref="Update"/>, kept for tests.</summary>
    public static float UpdateScalar(Span<float> p, Span<float> q, float baseline, float rating, float learningRate, float regularization)
    {
        var dot = 0f;
        for (var k = 0; k < p.Length; k++)
        {
            dot += p[k] * q[k];
        }

        var error = rating - (baseline + dot);
        for (var k = 0; k < p.Length; k++)
        {
            var pk = p[k];
            var qk = q[k];
            p[k] = (pk * (1f - (learningRate * regularization))) + (error * learningRate * qk);
            q[k] = (qk * (1f - (learningRate * regularization))) + (error * learningRate * pk);
        }

        return error;
    }
}
