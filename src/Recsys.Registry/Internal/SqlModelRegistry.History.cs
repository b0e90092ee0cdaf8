using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Recsys.Registry;

internal abstract partial class SqlModelRegistry : IModelRegistry
{
    public async Task<IReadOnlyList<RegistryChange>> GetHistoryAsync(string modelName, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ReadModelAsync(connection, null, modelName, cancellationToken).ConfigureAwait(false);
        return await ReadHistoryAsync(connection, null, "model = @model", 0, cancellationToken, ("@model", modelName)).ConfigureAwait(false);
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

    private sealed class DelaySignal(TimeProvider time) : IChangeSignal
    {
        public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => Task.Delay(timeout, time, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
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
}
