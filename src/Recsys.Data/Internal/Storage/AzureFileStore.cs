using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Recsys.Data.Internal.Storage;

// Azure Blob Storage and ADLS Gen2 through the Blob API. URLs: az://container/path (the account from
// AZURE_STORAGE_CONNECTION_STRING, else AZURE_STORAGE_ACCOUNT_NAME with the standard credential chain) or
// abfss://container@account.dfs.core.windows.net/path (the account from the host). Credentials: a connection string
// for that account when AZURE_STORAGE_CONNECTION_STRING names it, else DefaultAzureCredential (environment, workload
// or managed identity, Azure CLI …). Folders are prefixes; listing is prefix listing; reads are ranged and retried
// by the SDK (exponential backoff, 5 retries).
internal sealed class AzureFileStore : UrlFileStore
{
    private const int ReadBufferSize = 4 << 20;

    private static readonly ConcurrentDictionary<string, BlobServiceClient> Clients = new(StringComparer.Ordinal);

    private readonly BlobServiceClient _service;

    private AzureFileStore(BlobServiceClient service) => _service = service;

    public static AzureFileStore ForUrl(string url)
    {
        var (account, _, _) = Parse(url);
        var connection = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING");
        var key = $"{account ?? "(connection string)"}|{connection}";
        return new AzureFileStore(Clients.GetOrAdd(key, _ => Create(account, connection, url)));
    }

    private static BlobServiceClient Create(string? account, string? connection, string url)
    {
        var options = new BlobClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 5;
        if (connection is { Length: > 0 } && (account is null || connection.Contains($"AccountName={account};", StringComparison.OrdinalIgnoreCase)))
        {
            return new BlobServiceClient(connection, options);
        }

        account ??= Environment.GetEnvironmentVariable("AZURE_STORAGE_ACCOUNT_NAME") is { Length: > 0 } named ? named
            : throw new InvalidOperationException($"'{url}' names no storage account: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME, or use abfss://container@account.dfs.core.windows.net/path.");
        TokenCredential credential = new DefaultAzureCredential();
        return new BlobServiceClient(new Uri($"https://{account}.blob.core.windows.net"), credential, options);
    }

    // (account or null for az://, container, path inside the container without leading or trailing '/')
    private static (string? Account, string Container, string Path) Parse(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var rest = url[schemeEnd..].TrimEnd('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[(slash + 1)..];
        var at = authority.IndexOf('@', StringComparison.Ordinal);
        return at < 0
            ? (null, authority, path)
            : (authority[(at + 1)..].Split('.')[0], authority[..at], path);
    }

    private BlobClient Blob(string url)
    {
        var (_, container, path) = Parse(url);
        return _service.GetBlobContainerClient(container).GetBlobClient(path);
    }

    public override bool FileExists(string path) => Parse(path).Path.Length > 0 && Blob(path).Exists().Value;

    public override bool DirectoryExists(string path)
    {
        var (_, container, prefix) = Parse(path);
        var blobs = _service.GetBlobContainerClient(container).GetBlobs(BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix + "/", CancellationToken.None);
        try
        {
            return blobs.AsPages(pageSizeHint: 1).FirstOrDefault()?.Values.Count > 0;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false; // no such container
        }
    }

    public override IEnumerable<string> EnumerateFiles(string directory, bool recursive)
    {
        var (_, container, prefix) = Parse(directory);
        var root = FullPath(directory);
        var client = _service.GetBlobContainerClient(container);
        var listPrefix = prefix.Length == 0 ? null : prefix + "/";
        IEnumerable<string> names = recursive
            ? client.GetBlobs(BlobTraits.None, BlobStates.None, listPrefix, CancellationToken.None).Select(b => b.Name)
            : client.GetBlobsByHierarchy(BlobTraits.None, BlobStates.None, "/", listPrefix, CancellationToken.None).Where(i => i.IsBlob).Select(i => i.Blob.Name);
        return names.Where(n => !n.EndsWith('/')).Select(n => $"{root}/{n[(listPrefix?.Length ?? 0)..]}").Order(StringComparer.Ordinal).ToList();
    }

    public override Stream OpenRead(string path)
    {
        var blob = Blob(path);
        long length;
        ETag version;
        try
        {
            var properties = blob.GetProperties().Value;
            (length, version) = (properties.ContentLength, properties.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new FileNotFoundException($"'{path}' does not exist ({e.ErrorCode}).", path, e);
        }

        // Every range from the version whose length was read: a blob replaced meanwhile fails the read (412), it is
        // never stitched from two versions.
        var conditions = new BlobRequestConditions { IfMatch = version };
        return new RangedReadStream(length, async (start, count) =>
            (await blob.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(start, count), Conditions = conditions }).ConfigureAwait(false)).Value.Content.ToArray(), ReadBufferSize);
    }

    public override DateTimeOffset LastModified(string path) => Blob(path).GetProperties().Value.LastModified;
}
