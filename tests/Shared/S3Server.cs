using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Recsys.Tests.Shared;

/// <summary>
/// The S3-compatible server the object-storage tests run against: <c>RECSYS_S3</c> (an endpoint URL), by default the
/// s3rver <c>scripts/start-services.sh</c> starts on 127.0.0.1:4569. Unreachable, a test is skipped with the reason,
/// or fails under <c>RECSYS_REQUIRE_SERVICES=1</c> (as in CI).
/// </summary>
internal static class S3Server
{
    public const string DefaultEndpoint = "http://127.0.0.1:4569";

    private static readonly Lazy<string?> Problem = new(() =>
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = http.GetAsync(Endpoint).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"{Endpoint}: {e.Message}";
        }
    });

    public static string Endpoint =>
        Environment.GetEnvironmentVariable("RECSYS_S3") is { Length: > 0 } value ? value : DefaultEndpoint;

    public static void Require()
    {
        if (Problem.Value is not { } problem)
        {
            return;
        }

        var message = $"The S3 server is unavailable ({problem}). Run scripts/start-services.sh or set RECSYS_S3.";
        if (Environment.GetEnvironmentVariable("RECSYS_REQUIRE_SERVICES") == "1")
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
    }

    /// <summary>Points s3:// URLs at the server through the standard AWS variables (unless the endpoint is already set).</summary>
    public static void UseForS3Urls()
    {
        Require();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3")))
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", Endpoint);
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
        }
    }

    public static IAmazonS3 Client() => new AmazonS3Client(
        new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config
        {
            ServiceURL = Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    /// <summary>A new, empty bucket for one test.</summary>
    public static string NewBucket()
    {
        Require();
        var bucket = $"recsys-test-{Guid.NewGuid():N}"[..40];
        using var s3 = Client();
        s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket }).GetAwaiter().GetResult();
        return bucket;
    }

    public static async Task DeleteBucketAsync(string bucket)
    {
        using var s3 = Client();
        var objects = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        foreach (var o in objects.S3Objects ?? [])
        {
            await s3.DeleteObjectAsync(bucket, o.Key);
        }

        await s3.DeleteBucketAsync(bucket);
    }

    /// <summary>Uploads a local folder (every file, every level) under a prefix of a bucket.</summary>
    public static async Task UploadAsync(string bucket, string folder, string prefix, CancellationToken cancellationToken)
    {
        using var s3 = Client();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var key = $"{prefix}/{Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/')}";
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, FilePath = file, UseChunkEncoding = false }, cancellationToken);
        }
    }
}
