namespace Recsys.Registry;

/// <summary>What a caller gives to register a version.</summary>
public sealed record NewModelVersion
{
    /// <summary>Gets the trainer (algorithm) name.</summary>
    public required string Trainer { get; init; }

    /// <summary>Gets the trainer's parameters as JSON.</summary>
    public string Parameters { get; init; } = "{}";

    /// <summary>Gets the evaluation metrics (for example, <c>rmse</c>, <c>ndcg_at_k</c>).</summary>
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
