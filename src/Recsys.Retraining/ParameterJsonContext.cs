using System.Text.Json.Serialization;
using Recsys.Recommenders;

namespace Recsys.Retraining;

/// <summary>
/// Source-generated JSON of a candidate's <see cref="AlgorithmSettings"/> as a version's parameters: snake_case names,
/// nulls left out (what reflection wrote before), no reflection (trimming- and AOT-compatible).
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AlgorithmSettings))]
internal sealed partial class ParameterJsonContext : JsonSerializerContext;
