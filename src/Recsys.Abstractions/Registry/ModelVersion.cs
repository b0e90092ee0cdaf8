namespace Recsys.Registry;

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
