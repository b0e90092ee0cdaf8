using System.Text.Json.Serialization;

namespace Recsys.Registry;

/// <summary>
/// Source-generated JSON of what the registry stores in its JSON columns (metrics, tags, lineage), with the serializer's
/// default options, so the stored text is what <c>JsonSerializer</c> wrote before and the library needs no reflection
/// (trimming- and AOT-compatible).
/// </summary>
[JsonSerializable(typeof(IReadOnlyDictionary<string, double>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, double>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(ModelLineage))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
