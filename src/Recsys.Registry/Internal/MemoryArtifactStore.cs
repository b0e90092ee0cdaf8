using System.Collections.Concurrent;

namespace Recsys.Registry;

/// <summary>Artifacts in process memory, for tests.</summary>
internal sealed class MemoryArtifactStore : IArtifactStore
{
    private readonly ConcurrentDictionary<string, byte[]> _artifacts = new(StringComparer.Ordinal);

    public Task PutAsync(string sha256, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        _artifacts.TryAdd(sha256, content.ToArray());
        return Task.CompletedTask;
    }

    public Task<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken) =>
        Task.FromResult(_artifacts.TryGetValue(sha256, out var bytes) ? (byte[]?)bytes.Clone() : null);

    /// <summary>Overwrites stored bytes (tests of corruption detection).</summary>
    public Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        _artifacts.TryRemove(sha256, out _);
        return Task.CompletedTask;
    }

    internal void Corrupt(string sha256, byte[] bytes) => _artifacts[sha256] = bytes;
}
