using System.Security.Cryptography;
using Recsys.Data;
using Recsys.Factorization;
using Recsys.Recommenders;

namespace Recsys.Registry.Tests;

[CollectionDefinition(nameof(ArtifactMemory), DisableParallelization = true)]
public sealed class ArtifactMemory;

/// <summary>
/// Artifacts move as streams: registering hands the caller's file to the store (or a spooled copy of a stream that
/// cannot seek), opening reads from the store as the reader goes and checks size and SHA-256 at the end, and loading a
/// model holds no copy of its file.
/// </summary>
[Collection(nameof(ArtifactMemory))]
public sealed class ArtifactStreamingTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly RecordingStore _store = new();
    private readonly IModelRegistry _registry;

    public ArtifactStreamingTests() =>
        _registry = new SqliteModelRegistry(ModelRegistries.InMemoryConnectionString(), _store, TimeProvider.System, TimeSpan.FromMilliseconds(50), keepAlive: true);

    public void Dispose() => (_registry as IDisposable)?.Dispose();

    private static NewModelVersion Candidate => new() { Trainer = "t", Actor = "test" };

    [Fact]
    public async Task Register_FromASeekableStream_HandsThatStreamToTheStore_FromItsPosition()
    {
        var bytes = RandomBytes(300_000, 1);
        using var file = new MemoryStream([.. new byte[7], .. bytes]) { Position = 7 };

        var version = await _registry.RegisterVersionAsync("m", Candidate, file, Ct);

        Assert.Same(file, _store.LastPut);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), version.ArtifactSha256);
        Assert.Equal(bytes.Length, version.ArtifactSize);
        Assert.Equal(bytes, await _registry.ReadArtifactAsync("m", version.Version, Ct));
        Assert.True(file.CanRead, "the caller's stream stays open");
    }

    [Fact]
    public async Task Register_FromAStreamThatCannotSeek_SpoolsItToATemporaryFile_NotToMemory()
    {
        var bytes = RandomBytes(300_000, 2);

        var version = await _registry.RegisterVersionAsync("m", Candidate, new ForwardOnlyStream(new MemoryStream(bytes)), Ct);

        Assert.IsType<FileStream>(_store.LastPut);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), version.ArtifactSha256);
        Assert.Equal(bytes, await _registry.ReadArtifactAsync("m", version.Version, Ct));
        Assert.False(File.Exists(((FileStream)_store.LastPut!).Name), "the spool file is deleted once the artifact is stored");
    }

    [Fact]
    public async Task Open_ReadsFromTheStoreAsTheReaderGoes_AndChecksAtTheEnd()
    {
        var bytes = RandomBytes(1 << 20, 3);
        var version = await _registry.RegisterVersionAsync("m", Candidate, bytes, Ct);

        await using var artifact = await _registry.OpenArtifactAsync("m", version.Version, Ct);
        var first = new byte[1000];
        await artifact.ReadExactlyAsync(first, Ct);

        Assert.False(artifact.CanSeek);
        Assert.Equal(bytes.AsSpan(0, 1000).ToArray(), first);
        Assert.InRange(_store.LastOpened!.Position, 1000, 1000 + (64 << 10)); // not read ahead whole
    }

    [Theory]
    [InlineData("longer", "it holds more than the 100 bytes the registry recorded")]
    [InlineData("shorter", "it ends after 99 of the 100 bytes the registry recorded")]
    [InlineData("flipped", "its SHA-256 is ")]
    public async Task Open_StoredBytesNotWhatWasRecorded_ThrowWhenTheReaderGetsThere(string damage, string message)
    {
        var bytes = RandomBytes(100, 4);
        var version = await _registry.RegisterVersionAsync("m", Candidate, bytes, Ct);
        _store.Replace(version.ArtifactSha256, damage switch
        {
            "longer" => [.. bytes, 0],
            "shorter" => bytes[..99],
            _ => [.. bytes[..50], (byte)(bytes[50] ^ 1), .. bytes[51..]],
        });

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => _registry.ReadArtifactAsync("m", version.Version, Ct));

        Assert.Contains($"The artifact of m version 1 is corrupt: {message}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadingAModel_DamagedInTheStore_IsAnIntegrityError_NotAModel()
    {
        using var file = ModelFormat.Default.SerializeToTemporaryFile(SmallModel());
        var version = await _registry.RegisterVersionAsync("m", Candidate, file, Ct);
        var bytes = await _registry.ReadArtifactAsync("m", version.Version, Ct);
        bytes[^40] ^= 0x10; // inside the payload's last array
        _store.Replace(version.ArtifactSha256, bytes);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => ModelFormat.Default.ReadVersionAsync(_registry, version, Ct));

        Assert.Contains("The artifact of m version 1 is corrupt: its SHA-256 is ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadingALargeModel_AllocatesAboutTheModel_NotCopiesOfItsFile()
    {
        // A rank-128 model of 200,000 items and 30,000 users: a 118 MiB file. Before artifacts were streamed, loading
        // it held the registry's array of the file and the format's array of its payload beside the model: over three
        // times the file in allocations.
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 30_000, Items = 200_000, Interactions = 250_000 }).GenerateDataset(Ct);
        var model = new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 128, Epochs = 1 }).Fit(data, Ct);
        var format = ModelFormat.Default;
        var items = model.Items.Count;
        ModelVersion version;
        using (var file = format.SerializeToTemporaryFile(model))
        {
            version = await _registry.RegisterVersionAsync("big", Candidate, file, Ct);
        }

        model = null;
        data = null;
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var loaded = await format.ReadVersionAsync(_registry, version, Ct);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(items, loaded.Model.Items.Count);
        Assert.True(
            allocated < 2 * version.ArtifactSize,
            $"loading a {version.ArtifactSize:N0}-byte model allocated {allocated:N0} bytes ({(double)allocated / version.ArtifactSize:F2}× the file)");
    }

    private static IRecommender SmallModel()
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 50, Items = 80, Interactions = 1_000 }).GenerateDataset(Ct);
        return new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 8, Epochs = 1 }).Fit(data, Ct);
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Keeps artifacts in memory and records the streams it is handed and hands out.</summary>
    private sealed class RecordingStore : IArtifactStore
    {
        private readonly Dictionary<string, byte[]> _artifacts = new(StringComparer.Ordinal);

        public Stream? LastPut { get; private set; }

        public Stream? LastOpened { get; private set; }

        public async Task PutAsync(string sha256, Stream content, long length, CancellationToken cancellationToken)
        {
            LastPut = content;
            var copy = new byte[length];
            await content.ReadExactlyAsync(copy, cancellationToken);
            lock (_artifacts)
            {
                _artifacts[sha256] = copy;
            }
        }

        public Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken)
        {
            lock (_artifacts)
            {
                LastOpened = _artifacts.TryGetValue(sha256, out var bytes) ? new MemoryStream(bytes, writable: false) : null;
                return Task.FromResult(LastOpened);
            }
        }

        public Task DeleteAsync(string sha256, CancellationToken cancellationToken)
        {
            lock (_artifacts)
            {
                _artifacts.Remove(sha256);
            }

            return Task.CompletedTask;
        }

        public void Replace(string sha256, byte[] bytes)
        {
            lock (_artifacts)
            {
                _artifacts[sha256] = bytes;
            }
        }
    }

    /// <summary>A stream that can only be read forward, like a network body.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
