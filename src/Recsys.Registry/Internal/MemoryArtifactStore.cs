using System.Collections.Concurrent;

namespace Recsys.Registry;

/// <summary>Artifacts in process memory, for tests.</summary>
internal sealed class MemoryArtifactStore : IArtifactStore
{
    private readonly ConcurrentDictionary<string, byte[]> _artifacts = new(StringComparer.Ordinal);

    public async Task PutAsync(string sha256, Stream content, long length, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await Artifacts.CopyExactlyAsync(content, copy, length, cancellationToken).ConfigureAwait(false);
        _artifacts.TryAdd(sha256, copy.ToArray());
    }

    public Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken) =>
        Task.FromResult(_artifacts.TryGetValue(sha256, out var bytes) ? (Stream?)new MemoryStream(bytes, writable: false) : null);

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        _artifacts.TryRemove(sha256, out _);
        return Task.CompletedTask;
    }

    /// <summary>Overwrites stored bytes (tests of corruption detection).</summary>
    internal void Corrupt(string sha256, byte[] bytes) => _artifacts[sha256] = bytes;
}
