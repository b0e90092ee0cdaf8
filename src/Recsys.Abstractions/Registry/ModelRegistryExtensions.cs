namespace Recsys.Registry;

/// <summary>Reads of a model that may not be registered yet, without an exception for the empty case.</summary>
public static class ModelRegistryExtensions
{
    /// <summary>Lists a model's versions, or none when the model is not registered yet.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The versions, oldest first; empty for an unknown model.</returns>
    public static async Task<IReadOnlyList<ModelVersion>> ListVersionsOrEmptyAsync(this IModelRegistry registry, string modelName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return await registry.FindModelAsync(modelName, cancellationToken).ConfigureAwait(false) is null
            ? []
            : await registry.ListVersionsAsync(modelName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a model's audit trail, or none when the model is not registered yet.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The changes, oldest first; empty for an unknown model.</returns>
    public static async Task<IReadOnlyList<RegistryChange>> GetHistoryOrEmptyAsync(this IModelRegistry registry, string modelName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return await registry.FindModelAsync(modelName, cancellationToken).ConfigureAwait(false) is null
            ? []
            : await registry.GetHistoryAsync(modelName, cancellationToken).ConfigureAwait(false);
    }
}
