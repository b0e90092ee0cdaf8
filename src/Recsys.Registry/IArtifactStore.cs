namespace Recsys.Registry;

/// <summary>
/// Where a registry keeps model artifacts, by their SHA-256 (lower-case hex): a folder for SQLite, a table for
/// PostgreSQL, or a blob container (<c>Recsys.Registry.AzureBlob</c>, <c>Recsys.Registry.S3</c>) while the metadata
/// stays in the database. Artifacts move as streams both ways, never as one array. The registry writes an artifact
/// before the version that names it and checks every artifact it reads against the size and digest it recorded, so a
/// store only has to keep bytes under their address: writing the same digest twice keeps one copy, and a crash never
/// leaves a partial artifact under a digest.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Stores <paramref name="length"/> bytes of <paramref name="content"/> under <paramref name="sha256"/>; nothing happens when they are already stored.</summary>
    /// <param name="sha256">The content's SHA-256, lower-case hex.</param>
    /// <param name="content">
    /// The artifact, readable and seekable, positioned at its first byte; a store may seek back to that position to
    /// retry. The store does not dispose it.
    /// </param>
    /// <param name="length">The artifact's size in bytes (what is left of <paramref name="content"/>).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the artifact is durably stored.</returns>
    Task PutAsync(string sha256, Stream content, long length, CancellationToken cancellationToken);

    /// <summary>Opens the bytes stored under a digest for one read from the start.</summary>
    /// <param name="sha256">The digest.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>The stored bytes as a stream the caller disposes, or <see langword="null"/> when nothing is stored under that digest.</returns>
    Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Removes the bytes of a digest; nothing happens when they are absent.</summary>
    /// <param name="sha256">The digest.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the artifact is gone.</returns>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken);
}
