using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Recsys.Storage;

namespace Recsys.Registry;

/// <summary>
/// Model artifacts as objects of an Amazon S3 (or S3-compatible) bucket, content-addressed:
/// <c>{prefix}sha256/ab/abcdef…</c>, beside the registry's metadata in its database (set it as
/// <c>PostgreSqlRegistryOptions.Artifacts</c>). An object is written only when absent, from a stream (one PUT, or a
/// multipart upload for large artifacts), and read as a stream; the registry checks every read against the size and
/// SHA-256 it recorded.
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore
{
    private const long PartSize = 16L << 20;

    private readonly IAmazonS3 _s3;
    private readonly string _bucket;
    private readonly string _prefix;

    /// <summary>Creates the store on a bucket.</summary>
    /// <param name="s3">The client, with its credentials, region and endpoint.</param>
    /// <param name="bucket">The bucket (created on first write when missing).</param>
    /// <param name="prefix">A folder inside the bucket, for example <c>recsys/</c>; empty (the default) for its root.</param>
    public S3ArtifactStore(IAmazonS3 s3, string bucket, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(prefix);
        _s3 = s3;
        _bucket = bucket;
        _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
    }

    /// <summary>
    /// Opens <c>s3://bucket/prefix</c> with the standard AWS credential chain and region (environment, profile,
    /// instance or container role; <c>AWS_REGION</c>), and, for an S3-compatible store, the endpoint in
    /// <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c> (addressed path-style) — the settings the data readers use.
    /// </summary>
    /// <param name="url">The bucket and an optional prefix.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentException">The URL is not <c>s3://bucket/prefix</c>.</exception>
    public static S3ArtifactStore FromUrl(string url)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        if (!url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) || url.Length == "s3://".Length)
        {
            throw new ArgumentException($"'{url}' is not s3://bucket/prefix.", nameof(url));
        }

        var (bucket, prefix) = S3Urls.Parse(url);
        return new S3ArtifactStore(S3Urls.Client(S3Urls.Endpoint()), bucket, prefix);
    }

    /// <inheritdoc/>
    public async Task PutAsync(string sha256, Stream content, long length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var key = KeyOf(sha256);
        if (await ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return; // content-addressed: the same bytes
        }

        var start = content.Position;
        try
        {
            await UploadAsync(key, content, length, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }, cancellationToken).ConfigureAwait(false);
            content.Position = start;
            await UploadAsync(key, content, length, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        try
        {
            // The body is read as it arrives; disposing the stream releases the response.
            var response = await _s3.GetObjectAsync(_bucket, KeyOf(sha256), cancellationToken).ConfigureAwait(false);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        try
        {
            await _s3.DeleteObjectAsync(_bucket, KeyOf(sha256), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Absent (or no bucket): nothing to delete.
        }
    }

    // Up to 16 MiB in one PUT, larger artifacts as a multipart upload of 16 MiB parts read from the stream in turn,
    // which the store assembles only when it completes (an upload that fails is aborted): either way the object
    // appears whole or not at all. Payloads are signed whole, not in aws-chunked frames, which S3-compatible servers
    // do not all decode.
    private async Task UploadAsync(string key, Stream content, long length, CancellationToken cancellationToken)
    {
        if (length <= PartSize)
        {
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = key, InputStream = new PartStream(content, length), AutoCloseStream = false, UseChunkEncoding = false }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        try
        {
            var parts = new List<PartETag>();
            for (var (number, left) = (1, length); left > 0; number++, left -= PartSize)
            {
                var size = Math.Min(PartSize, left);
                var part = await _s3.UploadPartAsync(
                    new UploadPartRequest { BucketName = _bucket, Key = key, UploadId = upload.UploadId, PartNumber = number, PartSize = size, InputStream = new PartStream(content, size), UseChunkEncoding = false },
                    cancellationToken).ConfigureAwait(false);
                parts.Add(new PartETag(number, part.ETag));
            }

            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _s3.GetObjectMetadataAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private string KeyOf(string sha256) =>
        sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower)
            ? $"{_prefix}sha256/{sha256[..2]}/{sha256}"
            : throw new ArgumentException($"'{sha256}' is not a lower-case hex SHA-256.", nameof(sha256));

    /// <summary>
    /// The next <c>length</c> bytes of the artifact as a seekable stream of their own (the SDK reads a part's length
    /// from it and rewinds it to retry), without copying them.
    /// </summary>
    private sealed class PartStream(Stream inner, long length) : Stream
    {
        private readonly long _start = inner.Position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => inner.Position - _start;
            set => inner.Position = _start + Math.Clamp(value, 0, length);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => inner.Read(buffer[..(int)Math.Min(buffer.Length, length - Position)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - Position)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => Position + offset,
                _ => length + offset,
            };
            return Position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
