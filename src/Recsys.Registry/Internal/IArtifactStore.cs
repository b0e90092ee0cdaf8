namespace Recsys.Registry;

/// <summary>Stores artifacts by their SHA-256 (lower-case hex).</summary>
internal interface IArtifactStore
{
    Task PutAsync(string sha256, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Returns the stored bytes, or null when nothing is stored under that hash.</summary>
    Task<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Removes the bytes of a digest; nothing happens when they are absent.</summary>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken);
}
