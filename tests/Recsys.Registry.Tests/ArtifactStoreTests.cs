using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Recsys.Tests.Shared;

namespace Recsys.Registry.Tests;

/// <summary>The artifact store contract (content-addressed put, get, delete), run against every store (derived classes).</summary>
public abstract class ArtifactStoreConformanceTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract IArtifactStore Store { get; }

    protected static (string Sha256, byte[] Bytes) Artifact(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return (Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes);
    }

    protected static Task PutAsync(IArtifactStore store, string sha256, byte[] bytes) =>
        store.PutAsync(sha256, new MemoryStream(bytes, writable: false), bytes.Length, Ct);

    protected static async Task<byte[]?> GetAsync(IArtifactStore store, string sha256)
    {
        var stream = await store.OpenReadAsync(sha256, Ct);
        if (stream is null)
        {
            return null;
        }

        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            return copy.ToArray();
        }
    }

    [Fact]
    public async Task Put_ThenGet_ReturnsTheBytes_AndAbsentIsNull()
    {
        var (sha, bytes) = Artifact(1_000, 1);
        var (absent, _) = Artifact(10, 2);

        await PutAsync(Store, sha, bytes);

        Assert.Equal(bytes, await GetAsync(Store, sha));
        Assert.Null(await GetAsync(Store, absent));
    }

    [Fact]
    public async Task PutTwice_KeepsOneCopy_AndConcurrentWritersAgree()
    {
        var (sha, bytes) = Artifact(50_000, 3);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PutAsync(Store, sha, bytes)));
        await PutAsync(Store, sha, bytes);

        Assert.Equal(bytes, await GetAsync(Store, sha));
    }

    [Fact]
    public async Task Delete_RemovesTheBytes_AndAbsentIsNoError()
    {
        var (sha, bytes) = Artifact(100, 4);
        await PutAsync(Store, sha, bytes);

        await Store.DeleteAsync(sha, Ct);
        await Store.DeleteAsync(sha, Ct);

        Assert.Null(await GetAsync(Store, sha));
    }

    [Fact]
    public async Task Put_StoresWhatIsLeftOfTheStream_FromItsPosition()
    {
        var (sha, bytes) = Artifact(3_000, 11);
        var prefixed = new MemoryStream([.. new byte[100], .. bytes], writable: false) { Position = 100 };

        await Store.PutAsync(sha, prefixed, bytes.Length, Ct);

        Assert.Equal(bytes, await GetAsync(Store, sha));
    }

    [Fact]
    public async Task LargeArtifact_RoundTrips()
    {
        // Larger than the Azure SDK's single-upload limit of 256 MiB would be slow here; 40 MiB exceeds its default
        // initial transfer size, so the blob is uploaded as staged blocks committed at the end.
        var (sha, bytes) = Artifact(40 << 20, 5);

        await PutAsync(Store, sha, bytes);

        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData((await GetAsync(Store, sha))!)));
    }
}

/// <summary>The folder store SQLite registries use.</summary>
public sealed class FileArtifactStoreTests : ArtifactStoreConformanceTests, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("recsys-artifacts-");

    public FileArtifactStoreTests() => Store = new FileArtifactStore(_directory.FullName);

    protected override IArtifactStore Store { get; }

    public void Dispose() => _directory.Delete(recursive: true);
}

/// <summary>Azure Blob Storage, on Azurite: each test in a container of its own.</summary>
public sealed class AzureBlobArtifactStoreTests : ArtifactStoreConformanceTests, IDisposable
{
    private readonly BlobContainerClient _container = Azurite.NewContainer();

    public AzureBlobArtifactStoreTests() => Store = new AzureBlobArtifactStore(_container, "models");

    protected override IArtifactStore Store { get; }

    public void Dispose() => _container.DeleteIfExists();

    [Fact]
    public async Task FromUrl_TakesTheDataReadersUrls_AndRefusesOthersByName()
    {
        Azurite.UseForAzUrls();
        var store = AzureBlobArtifactStore.FromUrl($"az://{_container.Name}/from-url");
        var (sha, bytes) = Artifact(64, 8);

        await PutAsync(store, sha, bytes);

        Assert.True(await _container.GetBlobClient($"from-url/sha256/{sha[..2]}/{sha}").ExistsAsync(Ct));
        var error = Assert.Throws<ArgumentException>(() => AzureBlobArtifactStore.FromUrl("s3://bucket/models"));
        Assert.Contains("'s3://bucket/models' is not az://container/prefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingContainer_IsCreatedOnFirstWrite()
    {
        var fresh = new BlobContainerClient(Azurite.ConnectionString, $"recsys-test-{Guid.NewGuid():N}");
        try
        {
            var store = new AzureBlobArtifactStore(fresh);
            var (sha, bytes) = Artifact(10, 7);

            await PutAsync(store, sha, bytes);

            Assert.Equal(bytes, await GetAsync(store, sha));
        }
        finally
        {
            await fresh.DeleteIfExistsAsync(cancellationToken: Ct);
        }
    }
}

/// <summary>
/// The whole registry contract with metadata in PostgreSQL and artifacts in Azure Blob Storage (Azurite): what
/// several replicas share when models outgrow database rows.
/// </summary>
public sealed class PostgreSqlAzureBlobRegistryTests : RegistryConformanceTests
{
    private string? _schema;
    private BlobContainerClient? _container;

    protected override IModelRegistry CreateRegistry()
    {
        TestEnvironment.RequirePostgres();
        _container = Azurite.NewContainer();
        _schema = TestEnvironment.NewSchema();
        return PostgreSqlModelRegistries.Open(
            TestEnvironment.PostgresConnectionString,
            new PostgreSqlRegistryOptions { Schema = _schema, FallbackPollInterval = TimeSpan.FromMilliseconds(200), Artifacts = new AzureBlobArtifactStore(_container) });
    }

    protected override void DisposeStore()
    {
        if (_schema is not null)
        {
            TestEnvironment.DropSchema(_schema);
        }

        _container?.DeleteIfExists();
    }

    [Fact]
    public async Task Artifacts_LiveInTheContainer_NotInTheDatabase()
    {
        var ct = TestContext.Current.CancellationToken;
        var version = await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("in blob storage"), ct);

        var blobs = new List<string>();
        await foreach (var blob in _container!.GetBlobsAsync(cancellationToken: ct))
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal([$"sha256/{version.ArtifactSha256[..2]}/{version.ArtifactSha256}"], blobs);
        await using var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString) { SearchPath = _schema }.ToString());
        await connection.OpenAsync(ct);
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM artifacts", connection);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync(ct))!);
    }

    [Fact]
    public async Task BlobChangedInTheContainer_IsRejected_NotReturned()
    {
        var ct = TestContext.Current.CancellationToken;
        var version = await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("original bytes"), ct);
        await _container!.GetBlobClient($"sha256/{version.ArtifactSha256[..2]}/{version.ArtifactSha256}").UploadAsync(BinaryData.FromString("tampered bytes"), overwrite: true, ct);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => Registry.ReadArtifactAsync("m", 1, ct));

        Assert.Contains("The artifact of m version 1 is corrupt: its SHA-256 is ", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Amazon S3's API, on s3rver: each test in a bucket of its own.</summary>
public sealed class S3ArtifactStoreTests : ArtifactStoreConformanceTests, IDisposable
{
    private readonly string _bucket = S3Server.NewBucket();
    private readonly Amazon.S3.IAmazonS3 _s3 = S3Server.Client();

    public S3ArtifactStoreTests() => Store = new S3ArtifactStore(_s3, _bucket, "models");

    protected override IArtifactStore Store { get; }

    public void Dispose()
    {
        S3Server.DeleteBucketAsync(_bucket).GetAwaiter().GetResult();
        _s3.Dispose();
    }

    [Fact]
    public async Task FromUrl_UsesTheStandardAwsSettings_AndCreatesAMissingBucket()
    {
        S3Server.UseForS3Urls();
        var bucket = $"recsys-new-{Guid.NewGuid():N}"[..30];
        var store = S3ArtifactStore.FromUrl($"s3://{bucket}/from-url");
        var (sha, bytes) = Artifact(64, 10);
        try
        {
            await PutAsync(store, sha, bytes);

            Assert.Equal(bytes, await GetAsync(store, sha));
        }
        finally
        {
            await S3Server.DeleteBucketAsync(bucket);
        }

        Assert.Contains("is not s3://bucket/prefix", Assert.Throws<ArgumentException>(() => S3ArtifactStore.FromUrl("az://container")).Message, StringComparison.Ordinal);
    }
}

/// <summary>The whole registry contract with metadata in PostgreSQL and artifacts in S3 (s3rver).</summary>
public sealed class PostgreSqlS3RegistryTests : RegistryConformanceTests
{
    private string? _schema;
    private string? _bucket;

    protected override IModelRegistry CreateRegistry()
    {
        TestEnvironment.RequirePostgres();
        _bucket = S3Server.NewBucket();
        _schema = TestEnvironment.NewSchema();
        return PostgreSqlModelRegistries.Open(
            TestEnvironment.PostgresConnectionString,
            new PostgreSqlRegistryOptions { Schema = _schema, FallbackPollInterval = TimeSpan.FromMilliseconds(200), Artifacts = new S3ArtifactStore(S3Server.Client(), _bucket) });
    }

    protected override void DisposeStore()
    {
        if (_schema is not null)
        {
            TestEnvironment.DropSchema(_schema);
        }

        if (_bucket is not null)
        {
            S3Server.DeleteBucketAsync(_bucket).GetAwaiter().GetResult();
        }
    }

    [Fact]
    public async Task ObjectChangedInTheBucket_IsRejected_NotReturned()
    {
        var ct = TestContext.Current.CancellationToken;
        var version = await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("original bytes"), ct);
        using var s3 = S3Server.Client();
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = _bucket, Key = $"sha256/{version.ArtifactSha256[..2]}/{version.ArtifactSha256}", ContentBody = "a longer tampered body", UseChunkEncoding = false }, ct);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => Registry.ReadArtifactAsync("m", 1, ct));

        Assert.Contains("The artifact of m version 1 is corrupt: it holds more than the 14 bytes the registry recorded", error.Message, StringComparison.Ordinal);
    }
}
