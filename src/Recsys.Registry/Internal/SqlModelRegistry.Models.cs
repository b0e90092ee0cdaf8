using System.Data.Common;
using System.Text.Json;

namespace Recsys.Registry;

internal abstract partial class SqlModelRegistry : IModelRegistry
{
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

    public async Task<RegisteredModel?> FindModelAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await TryReadModelAsync(connection, null, name, cancellationToken).ConfigureAwait(false);
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

    public Task<RegisteredModel> UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var current = await ReadModelAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            await using var update = Command(
                connection,
                transaction,
                "UPDATE models SET description = @description, tags = @tags, updated_at = @now WHERE name = @name",
                ("@description", description ?? current.Description),
                ("@tags", JsonSerializer.Serialize(tags ?? current.Tags, RegistryJsonContext.Default.IReadOnlyDictionaryStringString)),
                ("@now", Now()),
                ("@name", name));
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return await ReadModelAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

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

    private static async Task<RegisteredModel> ReadModelAsync(DbConnection connection, DbTransaction? transaction, string name, CancellationToken cancellationToken) =>
        await TryReadModelAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false)
            ?? throw new RegistryEntryNotFoundException($"There is no registered model named '{name}'.");

    private static async Task<RegisteredModel?> TryReadModelAsync(DbConnection connection, DbTransaction? transaction, string name, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT name, description, tags, created_at, updated_at FROM models WHERE name = @name", ("@name", name));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ToModel(reader) : null;
    }

    private static RegisteredModel ToModel(DbDataReader reader) => new(
        reader.GetString(0),
        reader.IsDBNull(1) ? null : reader.GetString(1),
        JsonSerializer.Deserialize(reader.GetString(2), RegistryJsonContext.Default.DictionaryStringString) ?? [],
        reader.GetFieldValue<DateTimeOffset>(3),
        reader.GetFieldValue<DateTimeOffset>(4));
}
