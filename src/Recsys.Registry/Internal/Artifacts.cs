using System.Security.Cryptography;

namespace Recsys.Registry;

internal static class Artifacts
{
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// Makes an artifact ready for a store: its SHA-256, its size and a seekable stream positioned at its first byte.
    /// A seekable stream is hashed in place and rewound; any other is copied to a temporary file (deleted when the
    /// returned stream is disposed) while it is hashed, so no artifact is ever held in memory whole.
    /// </summary>
    public static async Task<(string Sha256, long Length, Stream Content, bool Owned)> PrepareAsync(Stream artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        if (!artifact.CanRead)
        {
            throw new ArgumentException("The artifact stream cannot be read.", nameof(artifact));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        if (artifact.CanSeek)
        {
            var start = artifact.Position;
            long length = 0;
            int read;
            while ((read = await artifact.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }

            artifact.Position = start;
            return (Convert.ToHexStringLower(hash.GetHashAndReset()), length, artifact, false);
        }

        var spool = new FileStream(Path.Combine(Path.GetTempPath(), $"recsys-artifact-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            long length = 0;
            int read;
            while ((read = await artifact.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await spool.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                length += read;
            }

            await spool.FlushAsync(cancellationToken).ConfigureAwait(false);
            spool.Position = 0;
            return (Convert.ToHexStringLower(hash.GetHashAndReset()), length, spool, true);
        }
        catch
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Copies exactly <paramref name="length"/> bytes, failing when the source ends sooner.</summary>
    public static async Task CopyExactlyAsync(Stream source, Stream destination, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[(int)Math.Clamp(length, 1, 1 << 20)];
        var left = length;
        while (left > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"The artifact stream ended {left} bytes short of its {length} bytes.");
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            left -= read;
        }
    }
}
