using System.Security.Cryptography;

namespace Recsys.Registry;

/// <summary>
/// An artifact as the registry hands it out: the store's stream, read forward once, with its bytes counted and hashed
/// as they pass. Reading past the recorded size, ending short of it, or ending on a different SHA-256 throws
/// <see cref="ArtifactIntegrityException"/> naming the version — at the read that finds it, so a reader that reads to
/// the end never trusts bytes the registry did not record.
/// </summary>
internal sealed class VerifiedArtifactStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly ModelVersion _version;
    private long _read;
    private bool _verified;

    public VerifiedArtifactStream(Stream inner, ModelVersion version)
    {
        _inner = inner;
        _version = version;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _version.ArtifactSize;

    public override long Position { get => _read; set => throw new NotSupportedException("An artifact stream reads forward only."); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var read = _inner.Read(buffer);
        return Check(buffer[..read]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Check(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("An artifact stream reads forward only.");

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        _hash.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Check(ReadOnlySpan<byte> read)
    {
        if (read.Length > 0)
        {
            _read += read.Length;
            if (_read > _version.ArtifactSize)
            {
                throw Corrupt($"it holds more than the {_version.ArtifactSize} bytes the registry recorded");
            }

            _hash.AppendData(read);
            return read.Length;
        }

        if (!_verified)
        {
            if (_read != _version.ArtifactSize)
            {
                throw Corrupt($"it ends after {_read} of the {_version.ArtifactSize} bytes the registry recorded");
            }

            var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (actual != _version.ArtifactSha256)
            {
                throw Corrupt($"its SHA-256 is {actual}, the registry recorded {_version.ArtifactSha256}");
            }

            _verified = true;
        }

        return 0;
    }

    private ArtifactIntegrityException Corrupt(string why) =>
        new($"The artifact of {_version.ModelName} version {_version.Version} is corrupt: {why}.");
}
