using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Serving;

/// <summary>Reads a version's artifact through the model format (custom kinds included) and readies it to serve.</summary>
internal sealed class ModelLoader(IModelRegistry registry, ModelFormat format, RecommenderOptions options, TimeProvider time)
{
    private readonly Lazy<ItemMetadata?> _movies = new(() => options.MoviesPath is { } path ? MovieLensMovies.Read(path) : null);

    /// <summary>Reads (hash-verified by the registry), deserializes and exercises the version before it can be swapped in.</summary>
    public async Task<ServedModel> LoadAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity("recsys.model.load");
        activity?.SetTag(RecsysTelemetry.ModelName, version.ModelName);
        activity?.SetTag(RecsysTelemetry.ModelVersion, version.Version);
        var package = await format.ReadVersionAsync(registry, version, cancellationToken).ConfigureAwait(false);
        var model = new ServedModel(package.Model, package.ItemMetadata ?? _movies.Value, version, time.GetUtcNow());
        if (model.Model.Users.Count > 0)
        {
            Span<ScoredItem> probe = stackalloc ScoredItem[1];
            model.Model.Recommend(0, probe);
        }

        return model;
    }
}
