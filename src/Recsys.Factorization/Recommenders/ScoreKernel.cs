using System.Numerics.Tensors;

namespace Recsys.Recommenders;

/// <summary>The scoring kernel of top-N: one user vector against every item factor row.</summary>
internal static class ScoreKernel
{
    /// <summary>scores[i] = itemFactors[i] · vector, with TensorPrimitives.</summary>
    public static void Scores(ReadOnlySpan<float> itemFactors, int rank, ReadOnlySpan<float> vector, Span<float> scores)
    {
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = TensorPrimitives.Dot(itemFactors.Slice(i * rank, rank), vector);
        }
    }

    /// <summary>The scalar reference of <see cref="Scores"/>, kept for tests.</summary>
    public static void ScoresScalar(ReadOnlySpan<float> itemFactors, int rank, ReadOnlySpan<float> vector, Span<float> scores)
    {
        for (var i = 0; i < scores.Length; i++)
        {
            var sum = 0f;
            for (var f = 0; f < rank; f++)
            {
                sum += itemFactors[(i * rank) + f] * vector[f];
            }

            scores[i] = sum;
        }
    }
}
