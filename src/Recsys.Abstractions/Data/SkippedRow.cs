namespace Recsys.Data;

/// <summary>A row a reader skipped under <see cref="BadRowPolicy.Skip"/>.</summary>
/// <param name="LineNumber">The 1-based line number.</param>
/// <param name="Reason">Why the row was skipped.</param>
public readonly record struct SkippedRow(long LineNumber, string Reason);
