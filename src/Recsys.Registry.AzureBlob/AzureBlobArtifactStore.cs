using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Recsys.Storage;

namespace Recsys.Registry;

/// <summary>
/// Model artifacts as blobs of an Azure Blob Storage (or ADLS Gen2) container, content-addressed:
/// <c>{prefix}sha256/ab/abcdef…</c>. The registry's metadata (versions, stages, aliases, history) stays in its
/// database: set it as <c>PostgreSqlRegistryOptions.Artifacts</c> (package Recsys.Registry.PostgreSql). A blob is uploaded whole or not at all (a
/// single Put Blob, or a block list committed at the end) and only when absent, so concurrent writers of one model
/// keep one copy. Artifacts are uploaded from and read into streams, never whole arrays; the registry checks every read
/// against the size and SHA-256 it recorded.
/// </summary>
public sealed class AzureBlobArtifactStore : IArtifactStore
{
    private const int BlockSize = 8 << 20;

    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    /// <summary>Creates the store on a container (created on first write when missing).</summary>
    /// <param name="container">The container, with its credential.</param>
    /// <param name="prefix">A folder inside the container, for example <c>recsys/</c>; empty (the default) for its root.</param>
    public AzureBlobArtifactStore(BlobContainerClient container, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(prefix);
        _container = container;
        _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
    }

    /// <summary>
    /// Opens a container by URL with the standard Azure credential chain (<see cref="DefaultAzureCredential"/>:
    /// environment, workload identity, managed identity, Azure CLI …), for example
    /// <c>https://account.blob.core.windows.net/models</c>.
    /// </summary>
    /// <param name="containerUri">The container's URL.</param>
    /// <param name="credential">A credential, or <see langword="null"/> for <see cref="DefaultAzureCredential"/>.</param>
    /// <param name="prefix">A folder inside the container.</param>
    /// <returns>The store.</returns>
    public static AzureBlobArtifactStore FromUri(Uri containerUri, TokenCredential? credential = null, string prefix = "") =>
        new(new BlobContainerClient(containerUri, credential ?? new DefaultAzureCredential()), prefix);

    /// <summary>Opens a container with a storage connection string (an account key or SAS; Azurite's development account).</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="container">The container's name.</param>
    /// <param name="prefix">A folder inside the container.</param>
    /// <returns>The store.</returns>
    public static AzureBlobArtifactStore FromConnectionString(string connectionString, string container, string prefix = "") =>
        new(new BlobContainerClient(connectionString, container), prefix);

    /// <summary>
    /// Opens a container from a URL as the data readers take them: <c>az://container/prefix</c> (the account from
    /// <c>AZURE_STORAGE_CONNECTION_STRING</c>, else <c>AZURE_STORAGE_ACCOUNT_NAME</c> with <see cref="DefaultAzureCredential"/>),
    /// <c>abfss://container@account.dfs.core.windows.net/prefix</c> or <c>https://account.blob.core.windows.net/container/prefix</c>
    /// (both with <see cref="DefaultAzureCredential"/>).
    /// </summary>
    /// <param name="url">The container and an optional prefix.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentException">The URL is none of those forms, or names no account and none is configured.</exception>
    public static AzureBlobArtifactStore FromUrl(string url)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        if (!AzureStorageUrls.IsAzure(url) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && new Uri(url).AbsolutePath.Trim('/').Length == 0)
        {
            throw new ArgumentException($"'{url}' is not az://container/prefix, abfss://container@account.dfs.core.windows.net/prefix or https://account.blob.core.windows.net/container/prefix.", nameof(url));
        }

        var (account, container, prefix) = AzureStorageUrls.Parse(url);
        if (container.Length == 0)
        {
            throw new ArgumentException($"'{url}' names no container.", nameof(url));
        }

        return new(AzureStorageUrls.ServiceClient(account, url, message => new ArgumentException(message, nameof(url))).GetBlobContainerClient(container), prefix);
    }

    /// <inheritdoc/>
    public async Task PutAsync(string sha256, Stream content, long length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blob = BlobOf(sha256);
        var start = content.Position;

        // Up to 8 MiB in one Put Blob; larger artifacts as 8 MiB blocks, two in flight, committed by one Put Block List:
        // either way the blob appears whole or not at all, and only where none was (If-None-Match: *).
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            TransferOptions = new StorageTransferOptions { InitialTransferSize = BlockSize, MaximumTransferSize = BlockSize, MaximumConcurrency = 2 },
        };
        try
        {
            await blob.UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            content.Position = start;
            await PutAsync(sha256, content, length, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Already there (BlobAlreadyExists, or the condition failed): content-addressed, so the same bytes.
        }
    }

    /// <inheritdoc/>
    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        try
        {
            // One GET whose body is read as it arrives; the SDK resumes an interrupted body with a ranged GET pinned
            // to the blob's ETag.
            var download = await BlobOf(sha256).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string sha256, CancellationToken cancellationToken) =>
        await BlobOf(sha256).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    private BlobClient BlobOf(string sha256) => _container.GetBlobClient(_prefix + PathOf(sha256));

    private static string PathOf(string sha256) =>
        sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower)
            ? $"sha256/{sha256[..2]}/{sha256}"
            : throw new ArgumentException($"'{sha256}' is not a lower-case hex SHA-256.", nameof(sha256));
}
