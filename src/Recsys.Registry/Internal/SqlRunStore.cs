using System.Data.Common;
using Recsys.Runs;

namespace Recsys.Registry;

/// <summary>Runs and their steps in the registry's database; the model lock is the backend's.</summary>
internal abstract class SqlRunStore(TimeProvider time) : IRunStore
{
    private CreateOnce? _tables;

    protected TimeProvider Time { get; } = time;

    /// <summary>Creates the tables when missing.</summary>
    protected abstract string CreateSql { get; }

    /// <summary>Releases an owned connection pool; idempotent.</summary>
    /// <returns>A task.</returns>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public abstract Task<IAsyncDisposable?> TryLockModelAsync(string modelName, string runId, CancellationToken cancellationToken);

    public async Task CreateRunAsync(RetrainingRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await ExecuteAsync(
            "INSERT INTO runs (id, model, trigger_name, state, owner, started_at, finished_at, error, decision, interaction_count) VALUES (@id, @model, @trigger, @state, @owner, @started, NULL, NULL, NULL, @count)",
            cancellationToken,
            ("@id", run.Id),
            ("@model", run.ModelName),
            ("@trigger", run.Trigger),
            ("@state", run.State.ToString()),
            ("@owner", run.Owner),
            ("@started", TimeValue(run.StartedAt)),
            ("@count", run.InteractionCount)).ConfigureAwait(false);
    }

    public Task RecordStepAsync(string runId, RunStep step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        return ExecuteAsync(
            """
            INSERT INTO run_steps (run_id, name, state, attempts, started_at, finished_at, error, detail)
            VALUES (@run, @name, @state, @attempts, @started, @finished, @error, @detail)
            ON CONFLICT (run_id, name) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
                finished_at = excluded.finished_at, error = excluded.error, detail = excluded.detail
            """,
            cancellationToken,
            ("@run", runId),
            ("@name", step.Name),
            ("@state", step.State.ToString()),
            ("@attempts", step.Attempts),
            ("@started", TimeValue(step.StartedAt)),
            ("@finished", step.FinishedAt is { } f ? TimeValue(f) : null),
            ("@error", step.Error),
            ("@detail", step.Detail));
    }

    public Task FinishRunAsync(string runId, RunState state, string? error, string? decision, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE runs SET state = @state, error = @error, decision = @decision, finished_at = @finished WHERE id = @id",
            cancellationToken,
            ("@state", state.ToString()),
            ("@error", error),
            ("@decision", decision),
            ("@finished", TimeValue(Time.GetUtcNow())),
            ("@id", runId));

    public async Task<RetrainingRun?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        var runs = await QueryRunsAsync("WHERE id = @id", 1, cancellationToken, ("@id", runId)).ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    public Task<IReadOnlyList<RetrainingRun>> ListRunsAsync(string? modelName, int take, CancellationToken cancellationToken) =>
        modelName is null
            ? QueryRunsAsync("", take, cancellationToken)
            : QueryRunsAsync("WHERE model = @model", take, cancellationToken, ("@model", modelName));

    /// <summary>Opens a connection to the database.</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>The value a timestamp is stored as.</summary>
    protected virtual object TimeValue(DateTimeOffset value) => value;

    /// <summary>Opens a connection, creating the tables first if this instance has not.</summary>
    protected async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await LazyInitializer.EnsureInitialized(ref _tables, () => new CreateOnce(CreateSql)).EnsureAsync(connection, cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Marks the model's other running runs abandoned (called by the new lock holder) and returns how many.</summary>
    protected async Task<int> AbandonOthersAsync(DbConnection connection, DbTransaction? transaction, string modelName, string runId, CancellationToken cancellationToken)
    {
        // Their steps that were running when the worker died are abandoned too (not left "Running" for ever).
        await using (var steps = Command(
            connection,
            transaction,
            "UPDATE run_steps SET state = 'Abandoned', finished_at = @now, error = 'its worker stopped before the step finished' WHERE state = 'Running' AND run_id IN (SELECT id FROM runs WHERE model = @model AND state = 'Running' AND id <> @id)",
            ("@now", TimeValue(Time.GetUtcNow())),
            ("@model", modelName),
            ("@id", runId)))
        {
            await steps.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var update = Command(
            connection,
            transaction,
            "UPDATE runs SET state = 'Abandoned', finished_at = @now, error = 'its worker stopped before the run finished' WHERE model = @model AND state = 'Running' AND id <> @id",
            ("@now", TimeValue(Time.GetUtcNow())),
            ("@model", modelName),
            ("@id", runId));
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters) =>
        Sql.Command(connection, transaction, sql, parameters);

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<RetrainingRun>> QueryRunsAsync(string where, int take, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(take);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var runs = new List<RetrainingRun>();
        await using (var query = Command(
            connection,
            null,
            $"SELECT id, model, trigger_name, state, owner, started_at, finished_at, error, decision, interaction_count FROM runs {where} ORDER BY started_at DESC, id LIMIT @take",
            [.. parameters, ("@take", take)]))
        await using (var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                runs.Add(new RetrainingRun(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    Enum.Parse<RunState>(reader.GetString(3)),
                    reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5),
                    reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    reader.GetInt64(9),
                    []));
            }
        }

        for (var k = 0; k < runs.Count; k++)
        {
            var steps = new List<RunStep>();
            await using var query = Command(connection, null, "SELECT name, state, attempts, started_at, finished_at, error, detail FROM run_steps WHERE run_id = @run ORDER BY started_at, name", ("@run", runs[k].Id));
            await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                steps.Add(new RunStep(
                    reader.GetString(0),
                    Enum.Parse<StepState>(reader.GetString(1)),
                    reader.GetInt32(2),
                    reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }

            runs[k] = runs[k] with { Steps = steps };
        }

        return runs;
    }
}
