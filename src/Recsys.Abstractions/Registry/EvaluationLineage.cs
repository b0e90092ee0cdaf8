namespace Recsys.Registry;

/// <summary>The holdout a version's metrics come from.</summary>
/// <param name="Split">How the split was made (for example, <c>random holdout 20 % (seed 42)</c>).</param>
/// <param name="TrainFingerprint">A fingerprint of the training part.</param>
/// <param name="TrainRows">The interactions in the training part.</param>
/// <param name="TestFingerprint">A fingerprint of the held-out part.</param>
/// <param name="TestRows">The held-out interactions.</param>
public sealed record EvaluationLineage(string Split, string TrainFingerprint, long TrainRows, string TestFingerprint, long TestRows);
