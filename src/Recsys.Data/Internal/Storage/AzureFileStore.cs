using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Recsys.Storage;

namespace Recsys.Data.Internal.Storage;

// Azure Blob Storage and ADLS Gen2 through the Blob API. URLs and credentials as AzureStorageUrls reads them (shared
// with the artifact store): az://container/path or abfss://container@account.dfs.core.windows.net/path, a connection
// string or DefaultAzureCredential. Folders are prefixes; listing is prefix listing; reads are ranged and retried
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
        return new AzureFileStore(Clients.GetOrAdd(AzureStorageUrls.ClientKey(account), _ => AzureStorageUrls.ServiceClient(account, url, message => new InvalidOperationException(message))));
    }

    private static (string? Account, string Container, string Path) Parse(string url) => AzureStorageUrls.Parse(url);

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
