namespace Recsys.Registry;

/// <summary>
/// Where a version came from: the data its artifact was trained on, and (in <see cref="Evaluation"/>) the split its
/// metrics were measured on. With refit (the default of bootstrap and retraining) the artifact was trained again on
/// all the data after the evaluation, so the two differ.
/// </summary>
/// <param name="DataFingerprint">A fingerprint (SHA-256) of the interactions the artifact was trained on.</param>
/// <param name="Rows">The number of interactions the artifact was trained on.</param>
/// <param name="Users">The number of users the artifact knows.</param>
/// <param name="Items">The number of items the artifact knows.</param>
/// <param name="Split">What the artifact was trained on: <c>all data</c> after a refit, else the evaluation split's training part (for example, <c>temporal:0.2</c>).</param>
/// <param name="LibraryVersion">The Recsys version that trained it.</param>
public sealed record ModelLineage(string DataFingerprint, long Rows, int Users, int Items, string Split, string LibraryVersion)
{
    /// <summary>Gets a value indicating whether the artifact was refit on all the data after the evaluation.</summary>
    public bool Refit { get; init; }

    /// <summary>Gets the newest interaction timestamp (Unix seconds) in the data the artifact was trained on, if known.</summary>
    public long? NewestTimestamp { get; init; }

    /// <summary>Gets a description of the source the data came from (for example <c>delta table /data/ratings @ version 7</c>), if recorded.</summary>
    public string? DataSource { get; init; }

    /// <summary>Gets the version of the source that was read (a Delta table's version), if the source has versions.</summary>
    public long? DataVersion { get; init; }

    /// <summary>Gets the split the version's metrics were measured on, if recorded.</summary>
    public EvaluationLineage? Evaluation { get; init; }
}
