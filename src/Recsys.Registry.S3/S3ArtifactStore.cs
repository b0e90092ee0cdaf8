using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Recsys.Registry;

/// <summary>
/// Model artifacts as objects of an Amazon S3 (or S3-compatible) bucket, content-addressed:
/// <c>{prefix}sha256/ab/abcdef…</c>, beside the registry's metadata in its database (set it as
/// <c>PostgreSqlRegistryOptions.Artifacts</c>). An object is written whole by one PUT, only when absent; every read is
/// checked against the SHA-256 in its key before the registry checks it again.
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore
{
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

        var rest = url["s3://".Length..].Trim('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") is { Length: > 0 } s3 ? s3 : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 5,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (endpoint is { Length: > 0 })
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
        }

        return new S3ArtifactStore(new AmazonS3Client(config), slash < 0 ? rest : rest[..slash], slash < 0 ? string.Empty : rest[(slash + 1)..]);
    }

    /// <inheritdoc/>
    public async Task PutAsync(string sha256, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var key = KeyOf(sha256);
        if (await ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return; // content-addressed: the same bytes
        }

        var request = new PutObjectRequest { BucketName = _bucket, Key = key, InputStream = new MemoryStream(content.ToArray(), writable: false), UseChunkEncoding = false };
        try
        {
            await _s3.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }, cancellationToken).ConfigureAwait(false);
            request.InputStream = new MemoryStream(content.ToArray(), writable: false);
            await _s3.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            using var response = await _s3.GetObjectAsync(_bucket, KeyOf(sha256), cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return actual == sha256
            ? bytes
            : throw new ArtifactIntegrityException($"The object s3://{_bucket}/{KeyOf(sha256)} is corrupt: its SHA-256 is {actual}, its key says {sha256}.");
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
}
