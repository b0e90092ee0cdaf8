namespace Recsys.Evaluation;

/// <summary>The outcome of <see cref="FoldInEvaluation"/>: NDCG@K of the three answers on the same held-out users.</summary>
public sealed record FoldInResult
{
    /// <summary>Gets the algorithm.</summary>
    public required string Algorithm { get; init; }

    /// <summary>Gets how many users were held out.</summary>
    public int HeldOutUsers { get; init; }

    /// <summary>Gets how many of them had a relevant test interaction (the averages are over these).</summary>
    public int EvaluatedUsers { get; init; }

    /// <summary>Gets for how many the model folded the posted half in (the rest got its cold-start ranking).</summary>
    public int FoldedInUsers { get; init; }

    /// <summary>Gets the cut-off.</summary>
    public int K { get; init; }

    /// <summary>Gets NDCG@K of the cold-start ranking (a user unknown to the model, without fold-in).</summary>
    public double PopularityNdcg { get; init; }

    /// <summary>Gets NDCG@K of the fold-in of the posted half.</summary>
    public double FoldInNdcg { get; init; }

    /// <summary>Gets NDCG@K of the model retrained with the posted halves (the upper bound).</summary>
    public double RetrainedNdcg { get; init; }

    /// <summary>Gets the mean time of one fold-in top-K request, in microseconds (single thread, this process).</summary>
    public double FoldInMicroseconds { get; init; }
}
