using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Recsys.Registry;

/// <summary>
/// The registry on a relational database through ADO.NET: the SQL, transactions and audit history shared by the
/// SQLite and PostgreSQL backends. A backend supplies connections, its write transaction (one writer at a time, so
/// history sequence numbers are committed in order), its schema migrations and the SQL that differs.
/// </summary>
internal abstract class SqlModelRegistry : IModelRegistry
{
    /// <summary>Releases what the backend holds (a connection keeping an in-memory database alive, an owned pool); idempotent.</summary>
    /// <returns>A task.</returns>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private readonly IArtifactStore _artifacts;
    private readonly SemaphoreSlim _migrationGate = new(1, 1);
    private volatile bool _migrated;

    protected SqlModelRegistry(IArtifactStore artifacts, TimeProvider time, TimeSpan pollInterval)
    {
        _artifacts = artifacts;
        Time = time;
        PollInterval = pollInterval;
    }

    /// <summary>The clock of timestamps and of polling.</summary>
    protected TimeProvider Time { get; }

    /// <summary>How often the change feed looks for changes when it has no other signal.</summary>
    protected TimeSpan PollInterval { get; }

    /// <summary>The schema migrations, in order; migration N brings the schema to version N.</summary>
    protected abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>A SQL expression, over the <c>versions v</c> row, of the version's aliases in order joined by U+001F.</summary>
    protected abstract string AliasListSql { get; }

    /// <summary>Opens a new connection.</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Begins a write transaction that excludes every other writer of this registry until it ends.</summary>
    protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Called inside the transaction that appended history entry <paramref name="sequence"/>.</summary>
    protected virtual Task OnHistoryAppendedAsync(DbConnection connection, DbTransaction transaction, long sequence, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs first in the migration transaction (for example, to create a schema).</summary>
    protected virtual Task PrepareAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The value a timestamp is stored as.</summary>
    protected virtual object TimeValue(DateTimeOffset time) => time;

    public async Task<RegisteredModel> GetOrCreateModelAsync(string name, string? description, CancellationToken cancellationToken)
    {
        CheckName(name, nameof(name));
        return await WriteAsync(async (connection, transaction) =>
        {
            await EnsureModelAsync(connection, transaction, name, description, cancellationToken).ConfigureAwait(false);
            return await ReadModelAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadModelAsync(connection, null, name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(ModelSearch? search, CancellationToken cancellationToken)
    {
        search ??= new ModelSearch();
        ArgumentOutOfRangeException.ThrowIfNegative(search.Skip, nameof(search));
        ArgumentOutOfRangeException.ThrowIfNegative(search.Take, nameof(search));
        ArgumentNullException.ThrowIfNull(search.Tags, nameof(search));
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT name, description, tags, created_at, updated_at FROM models ORDER BY name");
        var result = new List<RegisteredModel>();
        var skipped = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (result.Count < search.Take && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // Tags are a JSON document per model, so the filter runs here, the same on every backend.
            var model = ToModel(reader);
            if (search.Matches(model) && skipped++ >= search.Skip)
            {
                result.Add(model);
            }
        }

        return result;
    }

    public Task<bool> FailPendingVersionAsync(string modelName, int version, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var failed = Command(connection, transaction, "UPDATE versions SET status = 'Failed' WHERE model = @model AND version = @version AND status = 'Pending'", ("@model", modelName), ("@version", version));
            return await failed.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);

    public Task<RegisteredModel> UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var current = await ReadModelAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            await using var update = Command(
                connection,
                transaction,
                "UPDATE models SET description = @description, tags = @tags, updated_at = @now WHERE name = @name",
                ("@description", description ?? current.Description),
                ("@tags", JsonSerializer.Serialize(tags ?? current.Tags)),
                ("@now", Now()),
                ("@name", name));
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return await ReadModelAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<ModelVersion> UpdateVersionAsync(string modelName, int version, string? description, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var current = await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false);
            await using var update = Command(
                connection,
                transaction,
                "UPDATE versions SET description = @description, tags = @tags WHERE model = @model AND version = @version",
                ("@description", description ?? current.Description),
                ("@tags", JsonSerializer.Serialize(tags ?? current.Tags)),
                ("@model", modelName),
                ("@version", version));
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await TouchAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
            return await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public async Task<ModelVersion> RegisterVersionAsync(string modelName, NewModelVersion version, ReadOnlyMemory<byte> artifact, CancellationToken cancellationToken)
    {
        CheckName(modelName, nameof(modelName));
        ArgumentNullException.ThrowIfNull(version);
        CheckName(version.Trainer, nameof(version));
        var sha = Artifacts.Hash(artifact.Span);

        // 1. Reserve the number: the row is PENDING and never served.
        var number = await WriteAsync(async (connection, transaction) =>
        {
            await EnsureModelAsync(connection, transaction, modelName, null, cancellationToken).ConfigureAwait(false);
            await using var next = Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE model = @model", ("@model", modelName));
            var n = Convert.ToInt32(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            var now = Now();
            await using var insert = Command(
                connection,
                transaction,
                """
                INSERT INTO versions (model, version, status, stage, trainer, parameters, metrics, lineage, signature, tags, description,
                                      artifact_sha256, artifact_size, created_at, stage_changed_at, stage_sequence)
                VALUES (@model, @version, 'Pending', 'None', @trainer, @parameters, @metrics, @lineage, @signature, @tags, @description, '', 0, @now, @now, 0)
                """,
                ("@model", modelName),
                ("@version", n),
                ("@trainer", version.Trainer),
                ("@parameters", version.Parameters),
                ("@metrics", JsonSerializer.Serialize(version.Metrics)),
                ("@lineage", version.Lineage is null ? null : JsonSerializer.Serialize(version.Lineage)),
                ("@signature", version.Signature),
                ("@tags", JsonSerializer.Serialize(version.Tags)),
                ("@description", version.Description),
                ("@now", now));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return n;
        }, cancellationToken).ConfigureAwait(false);

        // 2. Store the artifact (temporary file, flush, rename), then 3. mark READY with its hash in one transaction.
        try
        {
            await _artifacts.PutAsync(sha, artifact, cancellationToken).ConfigureAwait(false);
            return await WriteAsync(async (connection, transaction) =>
            {
                await using var ready = Command(
                    connection,
                    transaction,
                    "UPDATE versions SET status = 'Ready', artifact_sha256 = @sha, artifact_size = @size WHERE model = @model AND version = @version",
                    ("@sha", sha),
                    ("@size", artifact.Length),
                    ("@model", modelName),
                    ("@version", number));
                await ready.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await AppendHistoryAsync(connection, transaction, RegistryChangeKind.VersionRegistered, modelName, number, null, null, null, null, version.Actor, null, cancellationToken).ConfigureAwait(false);
                await TouchAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
                return await ReadVersionAsync(connection, transaction, modelName, number, cancellationToken).ConfigureAwait(false);
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await WriteAsync(async (connection, transaction) =>
            {
                await using var failed = Command(connection, transaction, "UPDATE versions SET status = 'Failed' WHERE model = @model AND version = @version AND status = 'Pending'", ("@model", modelName), ("@version", number));
                return await failed.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task<ModelVersion> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadVersionAsync(connection, null, modelName, version, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ReadModelAsync(connection, null, modelName, cancellationToken).ConfigureAwait(false);
        return await ReadVersionsAsync(connection, null, "model = @model ORDER BY version DESC", cancellationToken, ("@model", modelName)).ConfigureAwait(false);
    }

    public Task<ModelVersion> TransitionStageAsync(string modelName, int version, ModelStage stage, bool archiveExisting, string actor, string? reason, CancellationToken cancellationToken)
    {
        CheckStage(stage);
        return WriteAsync((connection, transaction) => TransitionAsync(connection, transaction, modelName, version, stage, archiveExisting, actor, reason, RegistryChangeKind.StageChanged, cancellationToken), cancellationToken);
    }

    public Task<ModelVersion> SetAliasAsync(string modelName, string alias, int version, string actor, string? reason, CancellationToken cancellationToken)
    {
        CheckName(alias, nameof(alias));
        return WriteAsync(async (connection, transaction) =>
        {
            var target = await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false);
            RequireReady(target);
            var previous = await AliasTargetAsync(connection, transaction, modelName, alias, cancellationToken).ConfigureAwait(false);
            await UpsertAliasAsync(connection, transaction, modelName, alias, version, cancellationToken).ConfigureAwait(false);
            await AppendHistoryAsync(connection, transaction, RegistryChangeKind.AliasSet, modelName, version, null, null, alias, previous, actor, reason, cancellationToken).ConfigureAwait(false);
            await TouchAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
            return await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task DeleteAliasAsync(string modelName, string alias, string actor, string? reason, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await ReadModelAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
            var previous = await AliasTargetAsync(connection, transaction, modelName, alias, cancellationToken).ConfigureAwait(false)
                ?? throw new RegistryEntryNotFoundException($"Model '{modelName}' has no alias '{alias}'.");
            await using var delete = Command(connection, transaction, "DELETE FROM aliases WHERE model = @model AND alias = @alias", ("@model", modelName), ("@alias", alias));
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await AppendHistoryAsync(connection, transaction, RegistryChangeKind.AliasDeleted, modelName, previous, null, null, alias, previous, actor, reason, cancellationToken).ConfigureAwait(false);
            await TouchAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    public async Task<ModelVersion?> GetByStageAsync(string modelName, ModelStage stage, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ReadModelAsync(connection, null, modelName, cancellationToken).ConfigureAwait(false);
        var found = await ReadVersionsAsync(connection, null, "model = @model AND stage = @stage AND status = 'Ready' ORDER BY stage_sequence DESC LIMIT 1", cancellationToken, ("@model", modelName), ("@stage", stage.ToString())).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<ModelVersion?> GetByAliasAsync(string modelName, string alias, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ReadModelAsync(connection, null, modelName, cancellationToken).ConfigureAwait(false);
        var version = await AliasTargetAsync(connection, null, modelName, alias, cancellationToken).ConfigureAwait(false);
        return version is null ? null : await ReadVersionAsync(connection, null, modelName, version.Value, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RegistryChange>> GetHistoryAsync(string modelName, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ReadModelAsync(connection, null, modelName, cancellationToken).ConfigureAwait(false);
        return await ReadHistoryAsync(connection, null, "model = @model", 0, cancellationToken, ("@model", modelName)).ConfigureAwait(false);
    }

    public Task<ModelVersion> RollbackStageAsync(string modelName, ModelStage stage, string actor, string? reason, CancellationToken cancellationToken)
    {
        CheckStage(stage);
        return WriteAsync(async (connection, transaction) =>
        {
            await ReadModelAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);

            // The two latest entries into the stage: the current holder and the one before it.
            await using var query = Command(
                connection,
                transaction,
                "SELECT version FROM history WHERE model = @model AND to_stage = @stage AND kind IN ('StageChanged', 'StageRolledBack') ORDER BY sequence DESC LIMIT 2",
                ("@model", modelName),
                ("@stage", stage.ToString()));
            var versions = new List<int>();
            await using (var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    versions.Add(reader.GetInt32(0));
                }
            }

            if (versions.Count < 2)
            {
                throw new RegistryException($"Model '{modelName}' has no earlier {stage} version to roll back to.");
            }

            return await TransitionAsync(connection, transaction, modelName, versions[1], stage, archiveExisting: true, actor, reason, RegistryChangeKind.StageRolledBack, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<ModelVersion> RollbackAliasAsync(string modelName, string alias, string actor, string? reason, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await ReadModelAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
            var changes = await ReadHistoryAsync(connection, transaction, "model = @model AND alias = @alias", 0, cancellationToken, ("@model", modelName), ("@alias", alias)).ConfigureAwait(false);
            var last = changes.Count > 0 ? changes[^1] : throw new RegistryEntryNotFoundException($"Model '{modelName}' has no alias '{alias}' in its history.");
            var target = last.PreviousVersion
                ?? throw new RegistryException($"Alias '{alias}' of model '{modelName}' did not point at another version before version {last.Version}.");
            var current = await AliasTargetAsync(connection, transaction, modelName, alias, cancellationToken).ConfigureAwait(false);
            RequireReady(await ReadVersionAsync(connection, transaction, modelName, target, cancellationToken).ConfigureAwait(false));
            await UpsertAliasAsync(connection, transaction, modelName, alias, target, cancellationToken).ConfigureAwait(false);
            await AppendHistoryAsync(connection, transaction, RegistryChangeKind.AliasRolledBack, modelName, target, null, null, alias, current, actor, reason, cancellationToken).ConfigureAwait(false);
            await TouchAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
            return await ReadVersionAsync(connection, transaction, modelName, target, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public async Task<byte[]> ReadArtifactAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        var v = await GetVersionAsync(modelName, version, cancellationToken).ConfigureAwait(false);
        RequireReady(v);
        var bytes = await _artifacts.GetAsync(v.ArtifactSha256, cancellationToken).ConfigureAwait(false)
            ?? throw new ArtifactIntegrityException($"The artifact of {modelName} version {version} (sha256 {v.ArtifactSha256}) is missing.");
        var actual = Artifacts.Hash(bytes);
        if (actual != v.ArtifactSha256 || bytes.LongLength != v.ArtifactSize)
        {
            throw new ArtifactIntegrityException($"The artifact of {modelName} version {version} is corrupt: its SHA-256 is {actual}, the registry recorded {v.ArtifactSha256}.");
        }

        return bytes;
    }

    public async IAsyncEnumerable<RegistryChange> WatchAsync(long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = afterSequence;
        await using var signal = await OpenChangeSignalAsync(cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<RegistryChange> changes;
            await using (var connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                changes = await ReadHistoryAsync(connection, null, "1 = 1", last, cancellationToken).ConfigureAwait(false);
            }

            foreach (var change in changes)
            {
                last = change.Sequence;
                yield return change;
            }

            try
            {
                await signal.WaitAsync(PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Opens what the change feed waits on between reads. The default waits <see cref="PollInterval"/>; a backend
    /// with notifications returns early when one arrives. It is opened before the first read, so no change committed
    /// after that read is missed.
    /// </summary>
    protected virtual Task<IChangeSignal> OpenChangeSignalAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IChangeSignal>(new DelaySignal(Time));

    /// <summary>What the change feed waits on.</summary>
    protected internal interface IChangeSignal : IAsyncDisposable
    {
        /// <summary>Waits until a change may have been committed or <paramref name="timeout"/> passes.</summary>
        Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
    }

    private sealed class DelaySignal(TimeProvider time) : IChangeSignal
    {
        public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => Task.Delay(timeout, time, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static void CheckName(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("A name must not be empty.", parameter);
        }
    }

    private static void CheckStage(ModelStage stage)
    {
        if (!Enum.IsDefined(stage))
        {
            throw new ArgumentOutOfRangeException(nameof(stage), stage, "Unknown stage; use None, Staging, Production or Archived.");
        }
    }

    private static void RequireReady(ModelVersion version)
    {
        if (version.Status != ModelVersionStatus.Ready)
        {
            throw new RegistryException($"{version.ModelName} version {version.Version} is {version.Status}, not Ready.");
        }
    }

    private async Task<ModelVersion> TransitionAsync(
        DbConnection connection, DbTransaction transaction, string modelName, int version, ModelStage stage, bool archiveExisting,
        string actor, string? reason, RegistryChangeKind kind, CancellationToken cancellationToken)
    {
        var target = await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false);
        RequireReady(target);
        var now = Now();
        if (archiveExisting && stage is not (ModelStage.None or ModelStage.Archived))
        {
            var others = await ReadVersionsAsync(connection, transaction, "model = @model AND stage = @stage AND version <> @version", cancellationToken, ("@model", modelName), ("@stage", stage.ToString()), ("@version", version)).ConfigureAwait(false);
            foreach (var other in others)
            {
                var archived = await AppendHistoryAsync(connection, transaction, RegistryChangeKind.StageChanged, modelName, other.Version, other.Stage, ModelStage.Archived, null, null, actor, $"archived: version {version} moved to {stage}", cancellationToken).ConfigureAwait(false);
                await SetStageAsync(connection, transaction, modelName, other.Version, ModelStage.Archived, now, archived, cancellationToken).ConfigureAwait(false);
            }
        }

        var sequence = await AppendHistoryAsync(connection, transaction, kind, modelName, version, target.Stage, stage, null, null, actor, reason, cancellationToken).ConfigureAwait(false);
        await SetStageAsync(connection, transaction, modelName, version, stage, now, sequence, cancellationToken).ConfigureAwait(false);
        await TouchAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
        return await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false);
    }

    private static async Task SetStageAsync(DbConnection connection, DbTransaction transaction, string modelName, int version, ModelStage stage, object now, long sequence, CancellationToken cancellationToken)
    {
        await using var update = Command(
            connection,
            transaction,
            "UPDATE versions SET stage = @stage, stage_changed_at = @now, stage_sequence = @sequence WHERE model = @model AND version = @version",
            ("@stage", stage.ToString()),
            ("@now", now),
            ("@sequence", sequence),
            ("@model", modelName),
            ("@version", version));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> AppendHistoryAsync(
        DbConnection connection, DbTransaction transaction, RegistryChangeKind kind, string modelName, int version, ModelStage? from, ModelStage? to,
        string? alias, int? previous, string actor, string? reason, CancellationToken cancellationToken)
    {
        await using var insert = Command(
            connection,
            transaction,
            """
            INSERT INTO history (kind, model, version, from_stage, to_stage, alias, previous_version, actor, at, reason)
            VALUES (@kind, @model, @version, @from, @to, @alias, @previous, @actor, @at, @reason)
            RETURNING sequence
            """,
            ("@kind", kind.ToString()),
            ("@model", modelName),
            ("@version", version),
            ("@from", from?.ToString()),
            ("@to", to?.ToString()),
            ("@alias", alias),
            ("@previous", previous),
            ("@actor", string.IsNullOrEmpty(actor) ? "unknown" : actor),
            ("@at", Now()),
            ("@reason", reason));
        var sequence = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        await OnHistoryAppendedAsync(connection, transaction, sequence, cancellationToken).ConfigureAwait(false);
        return sequence;
    }

    private async Task EnsureModelAsync(DbConnection connection, DbTransaction transaction, string name, string? description, CancellationToken cancellationToken)
    {
        var now = Now();
        await using var insert = Command(
            connection,
            transaction,
            "INSERT INTO models (name, description, tags, created_at, updated_at) VALUES (@name, @description, '{}', @now, @now) ON CONFLICT(name) DO NOTHING",
            ("@name", name),
            ("@description", description),
            ("@now", now));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task TouchAsync(DbConnection connection, DbTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var update = Command(connection, transaction, "UPDATE models SET updated_at = @now WHERE name = @name", ("@now", Now()), ("@name", name));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<RegisteredModel> ReadModelAsync(DbConnection connection, DbTransaction? transaction, string name, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT name, description, tags, created_at, updated_at FROM models WHERE name = @name", ("@name", name));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? ToModel(reader)
            : throw new RegistryEntryNotFoundException($"There is no registered model named '{name}'.");
    }

    private static RegisteredModel ToModel(DbDataReader reader) => new(
        reader.GetString(0),
        reader.IsDBNull(1) ? null : reader.GetString(1),
        JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(2)) ?? [],
        reader.GetFieldValue<DateTimeOffset>(3),
        reader.GetFieldValue<DateTimeOffset>(4));

    private async Task<ModelVersion> ReadVersionAsync(DbConnection connection, DbTransaction? transaction, string modelName, int version, CancellationToken cancellationToken)
    {
        await ReadModelAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
        var found = await ReadVersionsAsync(connection, transaction, "model = @model AND version = @version", cancellationToken, ("@model", modelName), ("@version", version)).ConfigureAwait(false);
        return found.Count == 1 ? found[0] : throw new RegistryEntryNotFoundException($"Model '{modelName}' has no version {version}.");
    }

    private async Task<IReadOnlyList<ModelVersion>> ReadVersionsAsync(
        DbConnection connection, DbTransaction? transaction, string where, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(
            connection,
            transaction,
            $"""
            SELECT v.model, v.version, v.status, v.stage, v.trainer, v.parameters, v.metrics, v.lineage, v.signature, v.tags, v.description,
                   v.artifact_sha256, v.artifact_size, v.created_at, v.stage_changed_at,
                   {AliasListSql}
            FROM versions v WHERE {where}
            """,
            parameters);
        var result = new List<ModelVersion>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new ModelVersion
            {
                ModelName = reader.GetString(0),
                Version = reader.GetInt32(1),
                Status = Enum.Parse<ModelVersionStatus>(reader.GetString(2)),
                Stage = Enum.Parse<ModelStage>(reader.GetString(3)),
                Trainer = reader.GetString(4),
                Parameters = reader.GetString(5),
                Metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(6)) ?? [],
                Lineage = reader.IsDBNull(7) ? null : JsonSerializer.Deserialize<ModelLineage>(reader.GetString(7)),
                Signature = reader.IsDBNull(8) ? null : reader.GetString(8),
                Tags = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(9)) ?? [],
                Description = reader.IsDBNull(10) ? null : reader.GetString(10),
                ArtifactSha256 = reader.GetString(11),
                ArtifactSize = reader.GetInt64(12),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(13),
                StageChangedAt = reader.GetFieldValue<DateTimeOffset>(14),
                Aliases = reader.IsDBNull(15) ? [] : reader.GetString(15).Split('\u001f'),
            });
        }

        return result;
    }

    private static async Task UpsertAliasAsync(DbConnection connection, DbTransaction transaction, string modelName, string alias, int version, CancellationToken cancellationToken)
    {
        await using var upsert = Command(
            connection,
            transaction,
            "INSERT INTO aliases (model, alias, version) VALUES (@model, @alias, @version) ON CONFLICT(model, alias) DO UPDATE SET version = excluded.version",
            ("@model", modelName),
            ("@alias", alias),
            ("@version", version));
        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int?> AliasTargetAsync(DbConnection connection, DbTransaction? transaction, string modelName, string alias, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT version FROM aliases WHERE model = @model AND alias = @alias", ("@model", modelName), ("@alias", alias));
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null ? null : Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    private static async Task<IReadOnlyList<RegistryChange>> ReadHistoryAsync(DbConnection connection, DbTransaction? transaction, string where, long after, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(
            connection,
            transaction,
            $"SELECT sequence, kind, model, version, from_stage, to_stage, alias, previous_version, actor, at, reason FROM history WHERE ({where}) AND sequence > @after ORDER BY sequence",
            [.. parameters, ("@after", after)]);
        var result = new List<RegistryChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new RegistryChange(
                reader.GetInt64(0),
                Enum.Parse<RegistryChangeKind>(reader.GetString(1)),
                reader.GetString(2),
                reader.GetInt32(3),
                reader.IsDBNull(4) ? null : Enum.Parse<ModelStage>(reader.GetString(4)),
                reader.IsDBNull(5) ? null : Enum.Parse<ModelStage>(reader.GetString(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetInt32(7),
                reader.GetString(8),
                reader.GetFieldValue<DateTimeOffset>(9),
                reader.IsDBNull(10) ? null : reader.GetString(10)));
        }

        return result;
    }

    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters) =>
        Sql.Command(connection, transaction, sql, parameters);

    private object Now() => TimeValue(Time.GetUtcNow());

    /// <summary>Opens a connection, creating or migrating the schema first when this instance has not yet.</summary>
    protected async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction and commits it.</summary>
    private async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var result = await work(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_migrated)
            {
                return;
            }

            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await PrepareAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await using (var create = Command(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            int current;
            await using (var read = Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version"))
            {
                current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }

            if (current > Migrations.Count)
            {
                throw new RegistryException($"The registry database has schema version {current}; this library knows versions up to {Migrations.Count}. Upgrade Recsys.");
            }

            for (var version = current + 1; version <= Migrations.Count; version++)
            {
                await using var migrate = Command(connection, transaction, Migrations[version - 1]);
                await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await using var record = Command(connection, transaction, "INSERT INTO schema_version (version) VALUES (@version)", ("@version", version));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _migrated = true;
        }
        finally
        {
            _migrationGate.Release();
        }
    }
}
