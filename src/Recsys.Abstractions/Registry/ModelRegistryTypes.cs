namespace Recsys.Registry;

/// <summary>The lifecycle stage of a model version, as in MLflow's model registry.</summary>
public enum ModelStage
{
    /// <summary>Registered, not in use.</summary>
    None = 0,

    /// <summary>Being tried out.</summary>
    Staging = 1,

    /// <summary>Served.</summary>
    Production = 2,

    /// <summary>Retired.</summary>
    Archived = 3,
}

/// <summary>Whether a version's artifact is complete.</summary>
public enum ModelVersionStatus
{
    /// <summary>The version number is reserved; the artifact is being stored.</summary>
    Pending = 0,

    /// <summary>The artifact is stored and verified; the version can be served.</summary>
    Ready = 1,

    /// <summary>Storing the artifact failed, or the registering process died; never served.</summary>
    Failed = 2,
}

/// <summary>A named model: the container of its versions.</summary>
/// <param name="Name">The model name.</param>
/// <param name="Description">A description, or <see langword="null"/>.</param>
/// <param name="Tags">Free-form tags.</param>
/// <param name="CreatedAt">When the model was created.</param>
/// <param name="UpdatedAt">When the model last changed (a version registered, a stage or alias changed).</param>
public sealed record RegisteredModel(string Name, string? Description, IReadOnlyDictionary<string, string> Tags, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

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

    /// <summary>Gets the split the version's metrics were measured on, if recorded.</summary>
    public EvaluationLineage? Evaluation { get; init; }
}

/// <summary>The holdout a version's metrics come from.</summary>
/// <param name="Split">How the split was made (for example, <c>random holdout 20 % (seed 42)</c>).</param>
/// <param name="TrainFingerprint">A fingerprint of the training part.</param>
/// <param name="TrainRows">The interactions in the training part.</param>
/// <param name="TestFingerprint">A fingerprint of the held-out part.</param>
/// <param name="TestRows">The held-out interactions.</param>
public sealed record EvaluationLineage(string Split, string TrainFingerprint, long TrainRows, string TestFingerprint, long TestRows);

/// <summary>What a caller gives to register a version.</summary>
public sealed record NewModelVersion
{
    /// <summary>Gets the trainer (algorithm) name.</summary>
    public required string Trainer { get; init; }

    /// <summary>Gets the trainer's parameters as JSON.</summary>
    public string Parameters { get; init; } = "{}";

    /// <summary>Gets the evaluation metrics (for example, <c>rmse</c>, <c>ndcg_at_10</c>).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Gets the lineage, or <see langword="null"/>.</summary>
    public ModelLineage? Lineage { get; init; }

    /// <summary>Gets the input/output signature (free text, for example <c>user_id:string,item_id:string -> score:float</c>).</summary>
    public string? Signature { get; init; }

    /// <summary>Gets free-form tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets a description, or <see langword="null"/>.</summary>
    public string? Description { get; init; }

    /// <summary>Gets who registers the version.</summary>
    public string Actor { get; init; } = "unknown";
}

/// <summary>One version of a registered model.</summary>
public sealed record ModelVersion
{
    /// <summary>Gets the model name.</summary>
    public required string ModelName { get; init; }

    /// <summary>Gets the version number, from 1, unique within the model.</summary>
    public required int Version { get; init; }

    /// <summary>Gets the status of the artifact.</summary>
    public required ModelVersionStatus Status { get; init; }

    /// <summary>Gets the stage.</summary>
    public required ModelStage Stage { get; init; }

    /// <summary>Gets the trainer (algorithm) name.</summary>
    public required string Trainer { get; init; }

    /// <summary>Gets the trainer's parameters as JSON.</summary>
    public required string Parameters { get; init; }

    /// <summary>Gets the evaluation metrics.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>Gets the lineage, or <see langword="null"/>.</summary>
    public ModelLineage? Lineage { get; init; }

    /// <summary>Gets the input/output signature, or <see langword="null"/>.</summary>
    public string? Signature { get; init; }

    /// <summary>Gets free-form tags.</summary>
    public required IReadOnlyDictionary<string, string> Tags { get; init; }

    /// <summary>Gets a description, or <see langword="null"/>.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the SHA-256 of the artifact (lower-case hex), or empty while pending.</summary>
    public required string ArtifactSha256 { get; init; }

    /// <summary>Gets the artifact's size in bytes.</summary>
    public required long ArtifactSize { get; init; }

    /// <summary>Gets the aliases that point at this version.</summary>
    public required IReadOnlyList<string> Aliases { get; init; }

    /// <summary>Gets when the version was registered.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the version last changed stage.</summary>
    public required DateTimeOffset StageChangedAt { get; init; }
}

/// <summary>What a <see cref="RegistryChange"/> records.</summary>
public enum RegistryChangeKind
{
    /// <summary>A version was registered (its artifact is stored).</summary>
    VersionRegistered = 0,

    /// <summary>A version moved between stages.</summary>
    StageChanged = 1,

    /// <summary>An alias was set or moved.</summary>
    AliasSet = 2,

    /// <summary>An alias was deleted.</summary>
    AliasDeleted = 3,

    /// <summary>A stage was rolled back to the version it had before.</summary>
    StageRolledBack = 4,

    /// <summary>An alias was rolled back to the version it had before.</summary>
    AliasRolledBack = 5,

    /// <summary>The promotion policy decided about a candidate (the reason holds the decision and its numbers).</summary>
    PromotionDecided = 6,
}

/// <summary>One entry of the audit history; the sequence orders all changes of a registry.</summary>
/// <param name="Sequence">The position in the registry's history, increasing.</param>
/// <param name="Kind">What changed.</param>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version concerned.</param>
/// <param name="FromStage">The stage before, for stage changes.</param>
/// <param name="ToStage">The stage after, for stage changes.</param>
/// <param name="Alias">The alias, for alias changes.</param>
/// <param name="PreviousVersion">The version the alias pointed at before, or <see langword="null"/>.</param>
/// <param name="Actor">Who made the change.</param>
/// <param name="At">When.</param>
/// <param name="Reason">Why, or <see langword="null"/>.</param>
public sealed record RegistryChange(
    long Sequence,
    RegistryChangeKind Kind,
    string ModelName,
    int Version,
    ModelStage? FromStage,
    ModelStage? ToStage,
    string? Alias,
    int? PreviousVersion,
    string Actor,
    DateTimeOffset At,
    string? Reason);

/// <summary>A filter and page over registered models.</summary>
public sealed record ModelSearch
{
    /// <summary>Gets a substring the name must contain (ordinal, case-insensitive); <see langword="null"/> for any name.</summary>
    public string? NameContains { get; init; }

    /// <summary>Gets tags the model must have, each with exactly this value.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets how many matching models to skip.</summary>
    public int Skip { get; init; }

    /// <summary>Gets how many models to return at most; default 100.</summary>
    public int Take { get; init; } = 100;

    /// <summary>Whether <paramref name="model"/> passes the filter (the page aside).</summary>
    /// <param name="model">A model.</param>
    /// <returns><see langword="true"/> when the name and every tag match.</returns>
    public bool Matches(RegisteredModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (NameContains is not null && !model.Name.Contains(NameContains, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var (key, value) in Tags)
        {
            if (!model.Tags.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
