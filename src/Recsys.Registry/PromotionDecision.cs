namespace Recsys.Registry;

/// <summary>A promotion decision with the numbers behind it.</summary>
/// <param name="Outcome">The outcome.</param>
/// <param name="Reason">A sentence with the compared numbers.</param>
/// <param name="Candidate">The candidate's primary metric, or NaN.</param>
/// <param name="Production">Production's primary metric, or <see langword="null"/> without a Production version.</param>
public sealed record PromotionDecision(PromotionOutcome Outcome, string Reason, double Candidate, double? Production);
