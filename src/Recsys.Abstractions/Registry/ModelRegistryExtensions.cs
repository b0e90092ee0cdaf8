namespace Recsys.Registry;

/// <summary>
/// Conveniences over <see cref="IModelRegistry"/>: reads of a model that may not be registered yet (without an exception
/// for the empty case), and artifacts as bytes for callers that hold them in memory anyway (small models, tests).
/// </summary>
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

    /// <summary>Registers a new version from an artifact already in memory (see <see cref="IModelRegistry.RegisterVersionAsync"/>).</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version's description.</param>
    /// <param name="artifact">The model file.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The ready version.</returns>
    public static async Task<ModelVersion> RegisterVersionAsync(this IModelRegistry registry, string modelName, NewModelVersion version, ReadOnlyMemory<byte> artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(artifact, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(artifact.ToArray(), writable: false);
        await using (stream.ConfigureAwait(false))
        {
            return await registry.RegisterVersionAsync(modelName, version, stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads a version's whole artifact into memory, checked against its recorded size and SHA-256. Loading a model
    /// needs no copy: <c>ModelFormat.ReadVersionAsync</c> reads the stream of <see cref="IModelRegistry.OpenArtifactAsync"/>.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The artifact's bytes.</returns>
    /// <exception cref="ArtifactIntegrityException">The artifact is missing or corrupt.</exception>
    public static async Task<byte[]> ReadArtifactAsync(this IModelRegistry registry, string modelName, int version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var stream = await registry.OpenArtifactAsync(modelName, version, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }
}
