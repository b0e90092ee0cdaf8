using Azure;
using Azure.Storage.Blobs;

namespace Recsys.Tests.Shared;

/// <summary>
/// The Azure Storage emulator the object-storage tests run against: <c>RECSYS_AZURITE</c> (a connection string), by
/// default Azurite's development account on the blob port <c>scripts/start-services.sh</c> starts (127.0.0.1:10000).
/// Unreachable, a test is skipped with the reason, or fails under <c>RECSYS_REQUIRE_SERVICES=1</c> (as in CI).
/// </summary>
internal static class Azurite
{
    // Azurite's well-known development account (documented by Microsoft; not a secret).
    public const string DefaultConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    private static readonly Lazy<string?> Problem = new(() =>
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            new BlobServiceClient(ConnectionString).GetProperties(timeout.Token);
            return null;
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or OperationCanceledException or InvalidOperationException or FormatException)
        {
            return e.Message;
        }
    });

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("RECSYS_AZURITE") is { Length: > 0 } value ? value : DefaultConnectionString;

    public static void Require()
    {
        if (Problem.Value is not { } problem)
        {
            return;
        }

        var message = $"Azurite (the Azure Storage emulator) is unavailable ({problem}). Run scripts/start-services.sh or set RECSYS_AZURITE.";
        if (Environment.GetEnvironmentVariable("RECSYS_REQUIRE_SERVICES") == "1")
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
    }

    /// <summary>Points the readers' az:// URLs at the emulator (the standard variable the Azure tools read), unless set.</summary>
    public static void UseForAzUrls()
    {
        Require();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING")))
        {
            Environment.SetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING", ConnectionString);
        }
    }

    /// <summary>Uploads a local folder (every file, every level) under a prefix of a container.</summary>
    public static async Task UploadAsync(BlobContainerClient container, string folder, string prefix, CancellationToken cancellationToken)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var name = $"{prefix}/{Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/')}";
            await using var stream = File.OpenRead(file);
            await container.GetBlobClient(name).UploadAsync(stream, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A new, empty container for one test.</summary>
    public static BlobContainerClient NewContainer()
    {
        Require();
        var container = new BlobContainerClient(ConnectionString, $"recsys-test-{Guid.NewGuid():N}");
        container.Create();
        return container;
    }
}
