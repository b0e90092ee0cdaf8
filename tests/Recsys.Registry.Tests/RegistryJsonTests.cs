using System.Text.Json;

namespace Recsys.Registry.Tests;

/// <summary>
/// The registry's JSON columns are written with source-generated metadata since the library became AOT-compatible:
/// the text must be what reflection wrote before, and what reflection wrote must still read, so no stored registry
/// changes meaning.
/// </summary>
public sealed class RegistryJsonTests
{
    private static readonly ModelLineage Lineage = new("sha256:ab\"c", 100_836, 610, 9_724, "random:0.2 seed 42", "1.2.3+abc")
    {
        Refit = true,
        NewestTimestamp = 1_537_799_250,
        DataSource = "delta table /data/ratings @ version 7 — ünïcode",
        DataVersion = 7,
    };

    private static readonly Dictionary<string, double> Metrics = new() { ["rmse"] = 0.8592, ["ndcg_at_10"] = 1e-300, ["mae"] = -0.0 };

    private static readonly Dictionary<string, string> Tags = new() { ["purpose"] = "rating_prediction", ["note"] = "<a & \"b\">" };

    [Fact]
    public void Writes_WhatReflectionWrote()
    {
        Assert.Equal(JsonSerializer.Serialize(Lineage), JsonSerializer.Serialize(Lineage, RegistryJsonContext.Default.ModelLineage));
        Assert.Equal(
            JsonSerializer.Serialize<IReadOnlyDictionary<string, double>>(Metrics),
            JsonSerializer.Serialize(Metrics, RegistryJsonContext.Default.IReadOnlyDictionaryStringDouble));
        Assert.Equal(
            JsonSerializer.Serialize<IReadOnlyDictionary<string, string>>(Tags),
            JsonSerializer.Serialize(Tags, RegistryJsonContext.Default.IReadOnlyDictionaryStringString));
    }

    [Fact]
    public void Reads_WhatReflectionWrote()
    {
        Assert.Equal(Lineage, JsonSerializer.Deserialize(JsonSerializer.Serialize(Lineage), RegistryJsonContext.Default.ModelLineage));
        Assert.Equal(Metrics, JsonSerializer.Deserialize(JsonSerializer.Serialize(Metrics), RegistryJsonContext.Default.DictionaryStringDouble));
        Assert.Equal(Tags, JsonSerializer.Deserialize(JsonSerializer.Serialize(Tags), RegistryJsonContext.Default.DictionaryStringString));
    }
}
