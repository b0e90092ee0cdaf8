using Recsys.Registry;

namespace Recsys.Retraining.Internal;

internal static class RegistryVersions
{
    /// <summary>A model's versions, or none when the model is not registered yet.</summary>
    public static async Task<IReadOnlyList<ModelVersion>> VersionsOrNoneAsync(this IModelRegistry registry, string model, CancellationToken cancellationToken) =>
        await registry.FindModelAsync(model, cancellationToken).ConfigureAwait(false) is null
            ? []
            : await registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false);
}
