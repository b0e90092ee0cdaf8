using BenchmarkDotNet.Attributes;
using Npgsql;
using Recsys.Registry;

namespace Recsys.Benchmarks;

/// <summary>
/// Registry operations per backend: register a version with a 1 MB artifact, resolve the Production version, promote
/// (a stage transition with its audit row), read and verify an artifact. PostgreSQL runs when
/// <c>RECSYS_POSTGRES</c> (default <c>Host=127.0.0.1;Port=5433;Username=postgres;Database=recsys_test</c>) answers;
/// each run uses its own schema, dropped afterwards.
/// </summary>
[MemoryDiagnoser]
public class RegistryBenchmarks
{
    private const string Model = "bench";
    private static readonly string PostgresConnectionString =
        Environment.GetEnvironmentVariable("RECSYS_POSTGRES") is { Length: > 0 } value ? value : "Host=127.0.0.1;Port=5433;Username=postgres;Database=recsys_test";

    private readonly byte[] _artifact = new byte[1 << 20];
    private IModelRegistry _registry = null!;
    private string? _directory;
    private string? _schema;
    private int _version;
    private int _other;

    /// <summary>Gets the backends this machine can run: in-memory and SQLite always, PostgreSQL when it answers.</summary>
    public static IEnumerable<string> Backends()
    {
        yield return "in-memory";
        yield return "sqlite";
        if (PostgresAvailable())
        {
            yield return "postgresql";
        }
    }

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "";

    [GlobalSetup]
    public async Task Setup()
    {
        new Random(42).NextBytes(_artifact);
        switch (Backend)
        {
            case "in-memory":
                _registry = ModelRegistries.CreateInMemory();
                break;
            case "sqlite":
                _directory = Directory.CreateTempSubdirectory("recsys-bench-").FullName;
                _registry = ModelRegistries.OpenSqlite(_directory);
                break;
            default:
                _schema = $"recsys_bench_{Guid.NewGuid():N}";
                _registry = PostgreSqlModelRegistries.Open(new NpgsqlConnectionStringBuilder(PostgresConnectionString) { SearchPath = _schema }.ToString());
                break;
        }

        _version = (await Register()).Version;
        _other = (await Register()).Version;
        await _registry.TransitionStageAsync(Model, _version, ModelStage.Production, archiveExisting: true, "bench", null, default);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_registry is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            (_registry as IDisposable)?.Dispose();
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }

        if (_schema is not null)
        {
            await using var connection = new NpgsqlConnection(PostgresConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Benchmark(Description = "register version (1 MB artifact)")]
    public Task<ModelVersion> Register() => _registry.RegisterVersionAsync(
        Model,
        new NewModelVersion { Trainer = "biased-mf", Metrics = new Dictionary<string, double> { ["rmse"] = 0.86 }, Actor = "bench" },
        _artifact,
        default);

    [Benchmark(Description = "get Production version")]
    public Task<ModelVersion?> GetProduction() => _registry.GetByStageAsync(Model, ModelStage.Production, default);

    [Benchmark(Description = "promote (stage transition + audit)")]
    public async Task<ModelVersion> Promote()
    {
        (_version, _other) = (_other, _version);
        return await _registry.TransitionStageAsync(Model, _version, ModelStage.Production, archiveExisting: true, "bench", null, default);
    }

    [Benchmark(Description = "read + verify artifact (1 MB)")]
    public Task<byte[]> ReadArtifact() => _registry.ReadArtifactAsync(Model, _version, default);

    private static bool PostgresAvailable()
    {
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Timeout = 3 }.ToString());
            connection.Open();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
