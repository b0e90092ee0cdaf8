using Amazon.Runtime;
using Amazon.S3;

namespace Recsys.Storage;

// One reading of s3:// URLs and the AWS environment, compiled into the data readers (Recsys.Data) and the artifact
// store (Recsys.Registry.S3): credentials and region from the standard AWS chain (AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance or container roles; AWS_REGION), an S3-compatible endpoint from
// AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL), addressed path-style.
internal static class S3Urls
{
    public static bool IsS3(string url) => url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    // (bucket, key without leading or trailing '/')
    public static (string Bucket, string Key) Parse(string url)
    {
        var rest = url["s3://".Length..].Trim('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (rest, string.Empty) : (rest[..slash], rest[(slash + 1)..]);
    }

    // The endpoint of an S3-compatible store, or empty for AWS.
    public static string Endpoint() =>
        Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") is { Length: > 0 } s3 ? s3
        : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") ?? string.Empty;

    public static IAmazonS3 Client(string endpoint)
    {
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 5,
            // Checksums only where S3 requires them: S3-compatible stores do not all know the newer trailing checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (endpoint.Length > 0)
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
        }

        return new AmazonS3Client(config);
    }
}
