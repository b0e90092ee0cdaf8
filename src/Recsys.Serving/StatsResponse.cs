using Recsys.Registry;

namespace Recsys.Serving;

/// <summary>The served model and its evidence (HTTP's <c>GET /stats</c>).</summary>
/// <param name="Model">The served version, or null while none is loaded.</param>
/// <param name="Algorithm">Its algorithm.</param>
/// <param name="Stage">Its registry stage.</param>
/// <param name="Aliases">Its aliases.</param>
/// <param name="LoadedAt">When this replica loaded it.</param>
/// <param name="Users">How many users it knows.</param>
/// <param name="Items">How many items it knows.</param>
/// <param name="Metrics">Its registered metrics (measured on the holdout).</param>
/// <param name="Lineage">What it was trained and evaluated on.</param>
/// <param name="StoredInteractions">How many interactions the store holds, or null while it is unavailable.</param>
/// <param name="LastError">Why the last load failed, if it did.</param>
public sealed record StatsResponse(
    ModelInfo? Model,
    string? Algorithm,
    string? Stage,
    IReadOnlyList<string> Aliases,
    DateTimeOffset? LoadedAt,
    int Users,
    int Items,
    IReadOnlyDictionary<string, double> Metrics,
    ModelLineage? Lineage,
    long? StoredInteractions,
    string? LastError);
