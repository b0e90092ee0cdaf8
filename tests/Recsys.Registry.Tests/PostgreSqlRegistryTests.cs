using Npgsql;
using Recsys.Tests.Shared;

namespace Recsys.Registry.Tests;

/// <summary>The conformance suite on a real PostgreSQL server, each test in a schema of its own.</summary>
public sealed class PostgreSqlRegistryTests : RegistryConformanceTests
{
    private string? _schema;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override IModelRegistry CreateRegistry()
    {
        TestEnvironment.RequirePostgres();
        _schema = TestEnvironment.NewSchema();
        return OpenRegistry(_schema);
    }

    protected override void DisposeStore()
    {
        if (_schema is not null)
        {
            TestEnvironment.DropSchema(_schema);
        }
    }

    [Fact]
    public async Task ReadArtifact_RowChangedInTheDatabase_IsRejectedNotServed()
    {
        var version = await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("original"), Ct);
        await using (var connection = await OpenSchemaConnectionAsync())
        await using (var tamper = new NpgsqlCommand("UPDATE artifacts SET content = 'tampered'::bytea WHERE sha256 = @sha", connection))
        {
            tamper.Parameters.AddWithValue("sha", version.ArtifactSha256);
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync(Ct));
        }

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => Registry.ReadArtifactAsync("m", 1, Ct));
        Assert.Contains("is corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoMachines_ShareOneRegistry_AndSeeEachOthersChangesThroughNotify()
    {
        // A second registry instance with its own connection pool stands in for another machine. Its fallback poll
        // is a day, so only a notification can deliver the change (no clock is asserted on).
        await using var other = (IAsyncDisposable)PostgreSqlModelRegistries.Open(TestEnvironment.PostgresConnectionString, new PostgreSqlRegistryOptions { Schema = _schema, FallbackPollInterval = TimeSpan.FromDays(1) });
        var replica = (IModelRegistry)other;
        await Registry.RegisterVersionAsync("m", Candidate(0.9), Artifact("one"), Ct);
        var registered = await replica.RegisterVersionAsync("m", Candidate(0.8), Artifact("two"), Ct);
        Assert.Equal(2, registered.Version);

        var history = await Registry.GetHistoryAsync("m", Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2)); // only ends a test that would otherwise hang
        var started = new TaskCompletionSource();
        var watcher = Task.Run(async () =>
        {
            await foreach (var change in replica.WatchAsync(history[^1].Sequence, timeout.Token))
            {
                return change;
            }

            return null;
        }, Ct);
        // No wait for the watcher: a change made before it listens is in the history it reads first, one made after
        // arrives by notification (the fallback poll is a day away).
        await Registry.TransitionStageAsync("m", 2, ModelStage.Production, true, "ci", "better", Ct);

        var seen = await watcher;
        Assert.NotNull(seen);
        Assert.Equal((RegistryChangeKind.StageChanged, 2, ModelStage.Production), (seen.Kind, seen.Version, seen.ToStage!.Value));
        Assert.Equal(Artifact("two"), await Registry.ReadArtifactAsync("m", 2, Ct));
    }

    [Fact]
    public async Task ConcurrentFirstUse_MigratesTheSchemaOnce()
    {
        var schema = TestEnvironment.NewSchema();
        try
        {
            var registries = Enumerable.Range(0, 6).Select(_ => OpenRegistry(schema)).ToArray();
            var versions = await Task.WhenAll(registries.Select((r, i) => r.RegisterVersionAsync("m", Candidate(i), Artifact($"a{i}"), Ct)));
            Assert.Equal(Enumerable.Range(1, 6), versions.Select(v => v.Version).Order());
            foreach (var registry in registries)
            {
                await ((IAsyncDisposable)registry).DisposeAsync();
            }
        }
        finally
        {
            TestEnvironment.DropSchema(schema);
        }
    }

    internal static IModelRegistry OpenRegistry(string schema) =>
        PostgreSqlModelRegistries.Open(TestEnvironment.PostgresConnectionString, new PostgreSqlRegistryOptions { Schema = schema, FallbackPollInterval = TimeSpan.FromMilliseconds(200) });

    private async Task<NpgsqlConnection> OpenSchemaConnectionAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString) { SearchPath = _schema }.ToString());
        await connection.OpenAsync(Ct);
        return connection;
    }
}
