using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace Recsys.Storage;

// One reading of Azure storage URLs and the environment, compiled into the data readers (Recsys.Data) and the artifact
// store (Recsys.Registry.AzureBlob), so both find the same account the same way: az://container/path (the account
// from AZURE_STORAGE_CONNECTION_STRING, else AZURE_STORAGE_ACCOUNT_NAME with DefaultAzureCredential),
// abfs[s]://container@account.dfs.core.windows.net/path and https://account.blob.core.windows.net/container/path (the
// account from the host; a connection string is used when it names that account, else DefaultAzureCredential).
internal static class AzureStorageUrls
{
    public static bool IsAzure(string url) =>
        url.StartsWith("az://", StringComparison.OrdinalIgnoreCase)
        || url.StartsWith("abfss://", StringComparison.OrdinalIgnoreCase)
        || url.StartsWith("abfs://", StringComparison.OrdinalIgnoreCase)
        || (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && new Uri(url).Host.EndsWith(".blob.core.windows.net", StringComparison.OrdinalIgnoreCase));

    // (account, or null for az://; container; path inside the container without leading or trailing '/')
    public static (string? Account, string Container, string Path) Parse(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var rest = url[schemeEnd..].TrimEnd('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[(slash + 1)..];
        if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var inner = path.IndexOf('/', StringComparison.Ordinal);
            return (authority.Split('.')[0], inner < 0 ? path : path[..inner], inner < 0 ? string.Empty : path[(inner + 1)..]);
        }

        var at = authority.IndexOf('@', StringComparison.Ordinal);
        return at < 0
            ? (null, authority, path)
            : (authority[(at + 1)..].Split('.')[0], authority[..at], path);
    }

    // The service client for an account (null: the one az:// URLs mean), from the environment.
    public static BlobServiceClient ServiceClient(string? account, string url, Func<string, Exception> error)
    {
        var options = new BlobClientOptions();
        options.Retry.Mode = Azure.Core.RetryMode.Exponential;
        options.Retry.MaxRetries = 5;
        if (Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } connection
            && (account is null || connection.Contains($"AccountName={account};", StringComparison.OrdinalIgnoreCase)))
        {
            return new BlobServiceClient(connection, options);
        }

        account ??= Environment.GetEnvironmentVariable("AZURE_STORAGE_ACCOUNT_NAME") is { Length: > 0 } named ? named
            : throw error($"'{url}' names no storage account: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME, or use abfss://container@account.dfs.core.windows.net/path.");
        TokenCredential credential = new DefaultAzureCredential();
        return new BlobServiceClient(new Uri($"https://{account}.blob.core.windows.net"), credential, options);
    }

    // Which client a URL needs, as a cache key (the account and the connection string in force).
    public static string ClientKey(string? account) =>
        $"{account ?? "(connection string)"}|{Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING")}";
}
