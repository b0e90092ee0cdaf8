namespace Recsys.Registry;

/// <summary>A named model: the container of its versions.</summary>
/// <param name="Name">The model name.</param>
/// <param name="Description">A description, or <see langword="null"/>.</param>
/// <param name="Tags">Free-form tags.</param>
/// <param name="CreatedAt">When the model was created.</param>
/// <param name="UpdatedAt">When the model last changed (a version registered, a stage or alias changed).</param>
public sealed record RegisteredModel(string Name, string? Description, IReadOnlyDictionary<string, string> Tags, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
