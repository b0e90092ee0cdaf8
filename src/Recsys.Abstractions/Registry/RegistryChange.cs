namespace Recsys.Registry;

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
