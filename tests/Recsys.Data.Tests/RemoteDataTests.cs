using Azure.Storage.Blobs;
using Parquet;
using Parquet.Schema;

namespace Recsys.Data.Tests;

/// <summary>
/// Data in object storage, read through the same code as local files: golden Delta tables written by Spark
/// (checkpoints, deletion vectors, column mapping) uploaded and read back to the rows Spark left, time travel, and
/// Parquet files and Hive-partitioned folders equal to their local read. Run against Azurite and s3rver.
/// </summary>
public abstract class RemoteDataTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("recsys-remote-");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The URL of the container or bucket's root, for example <c>az://container</c>.</summary>
    protected abstract string Root { get; }

    public void Dispose()
    {
        DisposeStore();
        _work.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void DisposeStore();

    /// <summary>Uploads a local folder under a prefix.</summary>
    protected abstract Task UploadAsync(string folder, string prefix);

    [Theory]
    [MemberData(nameof(DeltaGoldenTablesTests.SnapshotTables), MemberType = typeof(DeltaGoldenTablesTests))]
    public async Task GoldenSnapshotTables_ReadTheRowsSparkLeft_FromBlobStorage(string name, long version, string[] expected)
    {
        var url = await UploadGoldenAsync(name);

        var snapshot = DeltaTable.Open(url);

        Assert.Equal(version, snapshot.Version);
        Assert.Equal(expected, await DeltaGoldenTablesTests.ReadAsync(snapshot, ["col1", "col2"]));
    }

    [Theory]
    [MemberData(nameof(DeltaGoldenTablesTests.IdTables), MemberType = typeof(DeltaGoldenTablesTests))]
    public async Task GoldenIdTables_ReadTheRowsSparkLeft_FromBlobStorage(string name, long version, string[] expected)
    {
        var url = await UploadGoldenAsync(name);

        var snapshot = DeltaTable.Open(url);

        Assert.Equal(version, snapshot.Version);
        Assert.Equal(expected, await DeltaGoldenTablesTests.ReadAsync(snapshot, ["id"]));
    }

    [Theory]
    [InlineData("dv-partitioned-with-checkpoint")]
    [InlineData("dv-with-columnmapping")]
    [InlineData("table-with-columnmapping-mode-id")]
    [InlineData("data-reader-partition-values")]
    public async Task GoldenTables_WithDeletionVectorsMappingAndPartitions_ReadAsLocally(string name)
    {
        var local = DeltaTable.Open(DeltaGoldenData.Table(name));
        var url = await UploadGoldenAsync(name);

        var remote = DeltaTable.Open(url);

        var columns = local.Columns.Where(c => !c.Type.StartsWith("struct", StringComparison.Ordinal) && !c.Type.StartsWith("array", StringComparison.Ordinal) && !c.Type.StartsWith("map", StringComparison.Ordinal)).Select(c => c.Name).ToList();
        Assert.Equal(local.Version, remote.Version);
        Assert.Equal(await DeltaGoldenTablesTests.ReadAsync(local, columns), await DeltaGoldenTablesTests.ReadAsync(remote, columns));
    }

    [Fact]
    public async Task TimeTravel_ReadsEveryVersion_FromBlobStorage()
    {
        const string Name = "time-travel-start-start20-start40";
        var url = await UploadGoldenAsync(Name);
        for (var version = 0; version <= 2; version++)
        {
            var local = DeltaTable.Open(DeltaGoldenData.Table(Name), version);
            var remote = DeltaTable.Open(url, version);
            Assert.Equal(await DeltaGoldenTablesTests.ReadAsync(local, ["id"]), await DeltaGoldenTablesTests.ReadAsync(remote, ["id"]));
        }
    }

    [Fact]
    public async Task ParquetFileAndHiveFolder_ReadAsLocally_AndDescribe()
    {
        var root = Directory.CreateDirectory(Path.Combine(_work.FullName, "hive")).FullName;
        await WriteAsync(Path.Combine(root, "userId=1", "part-0.parquet"), [10, 11], [4, 5]);
        await WriteAsync(Path.Combine(root, "userId=2", "part-0.parquet"), [10, 12], [3, 1]);
        await UploadAsync(root, "ratings");
        var url = $"{Root}/ratings";

        Assert.Equal(DataSourceKind.Parquet, InteractionSource.Detect(url));
        var local = await InteractionSource.ReadAsync(root, cancellationToken: Ct);
        var remote = await InteractionSource.ReadAsync(url, cancellationToken: Ct);
        Assert.Equal(local.Dataset.ComputeFingerprint(), remote.Dataset.ComputeFingerprint());
        Assert.Equal(url, remote.Source);

        var description = await InteractionSource.DescribeAsync(url, cancellationToken: Ct);
        Assert.Equal((4L, "userId"), (description.Rows, description.Columns.Single(c => c.IsPartition).Name));

        // A single file: the folders above it are not its columns.
        var file = await InteractionSource.DescribeAsync($"{url}/userId=1/part-0.parquet", cancellationToken: Ct);
        Assert.Equal(2L, file.Rows);
        Assert.Equal(["movieId", "rating"], file.Columns.Select(c => c.Name));
    }

    [Fact]
    public void MissingRemotePath_IsNamed()
    {
        var url = $"{Root}/nothing/here";

        var error = Assert.Throws<FileNotFoundException>(() => InteractionSource.Detect(url));

        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }

    private async Task<string> UploadGoldenAsync(string name)
    {
        await UploadAsync(DeltaGoldenData.Table(name), name);
        return $"{Root}/{name}";
    }

    private static async Task WriteAsync(string path, int[] items, float[] ratings)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var item = new DataField<int>("movieId");
        var rating = new DataField<float>("rating");
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(item, rating), stream, cancellationToken: Ct);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<int>(item, new ReadOnlyMemory<int>(items), null, null, Ct);
        await group.WriteAsync<float>(rating, new ReadOnlyMemory<float>(ratings), null, null, Ct);
    }
}

/// <summary>Azure Blob Storage, on Azurite.</summary>
public sealed class AzureRemoteDataTests : RemoteDataTests
{
    private readonly BlobContainerClient _container;

    public AzureRemoteDataTests()
    {
        Azurite.UseForAzUrls();
        _container = Azurite.NewContainer();
    }

    protected override string Root => $"az://{_container.Name}";

    protected override void DisposeStore() => _container.DeleteIfExists();

    protected override Task UploadAsync(string folder, string prefix) => Azurite.UploadAsync(_container, folder, prefix, Ct);
}

/// <summary>Amazon S3's API, on s3rver.</summary>
public sealed class S3RemoteDataTests : RemoteDataTests
{
    private readonly string _bucket;

    public S3RemoteDataTests()
    {
        S3Server.UseForS3Urls();
        _bucket = S3Server.NewBucket();
    }

    protected override string Root => $"s3://{_bucket}";

    protected override void DisposeStore() => S3Server.DeleteBucketAsync(_bucket).GetAwaiter().GetResult();

    protected override Task UploadAsync(string folder, string prefix) => S3Server.UploadAsync(_bucket, folder, prefix, Ct);
}
