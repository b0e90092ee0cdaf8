using System.Collections.Concurrent;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Recsys.Storage;

namespace Recsys.Data.Internal.Storage;

// Amazon S3 and S3-compatible stores: s3://bucket/key, with the client S3Urls sets up from the AWS environment (shared
// with the artifact store). Folders are
// prefixes, listing is ListObjectsV2 by prefix, reads are ranged GETs in 4 MiB windows, retried by the SDK.
internal sealed class S3FileStore : UrlFileStore
{
    private static readonly ConcurrentDictionary<string, IAmazonS3> Clients = new(StringComparer.Ordinal);

    private readonly IAmazonS3 _s3;

    private S3FileStore(IAmazonS3 s3) => _s3 = s3;

    public static S3FileStore ForUrl(string url) => new(Clients.GetOrAdd(S3Urls.Endpoint(), S3Urls.Client));

    private static (string Bucket, string Key) Parse(string url) => S3Urls.Parse(url);

    public override bool FileExists(string path)
    {
        var (bucket, key) = Parse(path);
        if (key.Length == 0)
        {
            return false;
        }

        try
        {
            _s3.GetObjectMetadataAsync(bucket, key).GetAwaiter().GetResult();
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public override bool DirectoryExists(string path)
    {
        var (bucket, key) = Parse(path);
        try
        {
            var page = _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = key.Length == 0 ? null : key + "/" }).GetAwaiter().GetResult(); // one page; no MaxKeys = 1, which s3rver 3.7 answers with an internal error
            return page.S3Objects?.Count > 0;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false; // no such bucket
        }
    }

    public override IEnumerable<string> EnumerateFiles(string directory, bool recursive)
    {
        var (bucket, key) = Parse(directory);
        var root = FullPath(directory);
        var prefix = key.Length == 0 ? string.Empty : key + "/";
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix.Length == 0 ? null : prefix, Delimiter = recursive ? null : "/" };
        var files = new List<string>();
        ListObjectsV2Response page;
        do
        {
            page = _s3.ListObjectsV2Async(request).GetAwaiter().GetResult();
            files.AddRange((page.S3Objects ?? []).Where(o => !o.Key.EndsWith('/')).Select(o => $"{root}/{o.Key[prefix.Length..]}"));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        return files.Order(StringComparer.Ordinal).ToList();
    }

    public override Stream OpenRead(string path)
    {
        var (bucket, key) = Parse(path);
        GetObjectMetadataResponse metadata;
        try
        {
            metadata = _s3.GetObjectMetadataAsync(bucket, key).GetAwaiter().GetResult();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"'{path}' does not exist.", path, e);
        }

        return new RangedReadStream(metadata.ContentLength, async (start, count) =>
        {
            using var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = new ByteRange(start, start + count - 1), EtagToMatch = metadata.ETag }).ConfigureAwait(false);
            var bytes = new byte[count];
            await response.ResponseStream.ReadExactlyAsync(bytes).ConfigureAwait(false);
            return bytes;
        });
    }

    public override DateTimeOffset LastModified(string path)
    {
        var (bucket, key) = Parse(path);
        return new DateTimeOffset(_s3.GetObjectMetadataAsync(bucket, key).GetAwaiter().GetResult().LastModified!.Value.ToUniversalTime(), TimeSpan.Zero);
    }
}
