using Azure.Storage.Blobs;
using Recsys.Tests.Shared;

namespace Recsys.Cli.Tests;

/// <summary>The command line on data in Azure Blob Storage (Azurite): describe, time travel and train by URL.</summary>
public sealed class ObjectStorageCliTests : IDisposable
{
    private readonly BlobContainerClient _container;
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("recsys-cli-remote-");

    public ObjectStorageCliTests()
    {
        Azurite.UseForAzUrls(); // the child process inherits AZURE_STORAGE_CONNECTION_STRING
        _container = Azurite.NewContainer();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _container.DeleteIfExists();
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task DescribeTimeTravelAndTrain_ADeltaTableAndAParquetFolderByUrl()
    {
        var csv = Path.Combine(_work.FullName, "ratings.csv");
        var parquet = Path.Combine(_work.FullName, "parquet", "part-0.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(parquet)!);
        await RunAsync("generate", "--users", "200", "--items", "300", "--ratings", "6000", "--out", csv);
        await RunAsync("generate", "--users", "200", "--items", "300", "--ratings", "6000", "--out", parquet);
        var table = await DeltaTestTables.WriteRatingsAsync(csv, Path.Combine(_work.FullName, "table"), Ct);
        await Azurite.UploadAsync(_container, table.Path, "table", Ct);
        await Azurite.UploadAsync(_container, Path.GetDirectoryName(parquet)!, "parquet", Ct);
        var tableUrl = $"az://{_container.Name}/table";

        var latest = await RunAsync("data", "describe", tableUrl, "--json");
        var first = await RunAsync("data", "describe", tableUrl, "--version", "0", "--json");
        var trained = await RunAsync("train", "--data", $"az://{_container.Name}/parquet", "--algorithm", "popularity", "--out", Path.Combine(_work.FullName, "model.bin"));

        Assert.Contains($"\"rows\":{table.Latest.Count()}", latest.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains($"\"rows\":{table.Version0.Count()}", first.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("trained popularity on 6,000 interactions", trained, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_work.FullName, "model.bin")));
    }

    [Fact]
    public async Task MissingUrl_IsOneLine_NamingIt()
    {
        var url = $"az://{_container.Name}/nothing";

        var (exit, _, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["data", "describe", url], Ct);

        Assert.Equal(2, exit);
        Assert.Contains($"'{url}' does not exist.", error, StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(params string[] arguments)
    {
        var (exit, output, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), arguments, Ct);
        Assert.True(exit == 0, $"recsys {string.Join(' ', arguments)} exited {exit}: {error}");
        return output + error;
    }
}
