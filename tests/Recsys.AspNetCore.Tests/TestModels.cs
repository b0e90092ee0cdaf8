using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.AspNetCore.Tests;

/// <summary>Small real models (implicit ALS on synthetic data) with titles and genres, as registry artifacts.</summary>
internal static class TestModels
{
    public const string Model = "movies";

    private static readonly Lazy<InteractionDataset> Data = new(() =>
        new SyntheticDataGenerator(new SyntheticDataOptions { Users = 300, Items = 400, Interactions = 15_000, Seed = 5 }).GenerateDataset());

    public static InteractionDataset Dataset => Data.Value;

    /// <summary>Genres: even items are "Comedy", odd ones "Drama", every fifth also "Animation".</summary>
    public static ItemMetadata Metadata { get; } = new(Enumerable.Range(0, 2_000).Select(i => KeyValuePair.Create(
        i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        new ItemAttributes($"Movie {i}", i % 5 == 0 ? [i % 2 == 0 ? "Comedy" : "Drama", "Animation"] : [i % 2 == 0 ? "Comedy" : "Drama"]))));

    public static byte[] Artifact(int seed)
    {
        var trainer = RecommenderAlgorithms.Create("als-implicit", new AlgorithmSettings { Rank = 8, Epochs = 3, Seed = (ulong)seed });
        var model = trainer.Fit(Dataset, CancellationToken.None);
        using var buffer = new MemoryStream();
        ModelFile.Write(buffer, model, Metadata);
        return buffer.ToArray();
    }

    public static async Task<ModelVersion> RegisterAsync(IModelRegistry registry, int seed, ModelStage? stage = ModelStage.Production, string model = Model)
    {
        var version = await registry.RegisterVersionAsync(
            model,
            new NewModelVersion { Trainer = "als-implicit", Metrics = new Dictionary<string, double> { ["ndcg_at_k"] = 0.1 + (seed / 1000.0) }, Actor = "test" },
            Artifact(seed),
            CancellationToken.None);
        if (stage is { } s)
        {
            version = await registry.TransitionStageAsync(model, version.Version, s, archiveExisting: true, "test", null, CancellationToken.None);
        }

        return version;
    }
}
