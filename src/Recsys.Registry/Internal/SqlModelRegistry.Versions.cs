using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace Recsys.Registry;

internal abstract partial class SqlModelRegistry : IModelRegistry
{
    public Task<bool> FailPendingVersionAsync(string modelName, int version, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var failed = Command(connection, transaction, "UPDATE versions SET status = 'Failed' WHERE model = @model AND version = @version AND status = 'Pending'", ("@model", modelName), ("@version", version));
            return await failed.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);

    public async Task<ModelVersion> DeleteArtifactAsync(string modelName, int version, string actor, string? reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        var (deleted, shared) = await WriteAsync(
            async (connection, transaction) =>
            {
                var current = await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false);
                await using var users = Command(connection, transaction, "SELECT COUNT(*) FROM versions WHERE artifact_sha256 = @sha AND status <> 'ArtifactDeleted' AND NOT (model = @model AND version = @version)", ("@sha", current.ArtifactSha256), ("@model", modelName), ("@version", version));
                var shared = Convert.ToInt64(await users.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
                if (current.Status == ModelVersionStatus.ArtifactDeleted)
                {
                    return (current, shared); // already recorded: only the bytes may be left to remove
                }

                if (current.Status == ModelVersionStatus.Pending)
                {
                    throw new RegistryException($"{modelName} version {version} is still being registered; its artifact cannot be deleted.");
                }

                if (current.Stage is ModelStage.Production or ModelStage.Staging)
                {
                    throw new RegistryException($"{modelName} version {version} is in {current.Stage}; move it to Archived before deleting its artifact.");
                }

                if (current.Aliases.Count > 0)
                {
                    throw new RegistryException($"{modelName} version {version} has the alias{(current.Aliases.Count > 1 ? "es" : "")} {string.Join(", ", current.Aliases)}; delete {(current.Aliases.Count > 1 ? "them" : "it")} before deleting its artifact.");
                }

                await using (var update = Command(connection, transaction, "UPDATE versions SET status = 'ArtifactDeleted' WHERE model = @model AND version = @version", ("@model", modelName), ("@version", version)))
                {
                    await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await AppendHistoryAsync(connection, transaction, RegistryChangeKind.ArtifactDeleted, modelName, version, current.Stage, current.Stage, null, null, actor, reason, cancellationToken).ConfigureAwait(false);
                await TouchAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
                return (await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false), shared);
            },
            cancellationToken).ConfigureAwait(false);

        // After the commit: the row no longer points at the bytes. Shared bytes (an identical artifact of another
        // version) stay; removing absent bytes is not an error, so a retry after a crash here completes the deletion.
        if (!shared)
        {
            await _artifacts.DeleteAsync(deleted.ArtifactSha256, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    public Task<ModelVersion> UpdateVersionAsync(string modelName, int version, string? description, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var current = await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false);
            await using var update = Command(
                connection,
                transaction,
                "UPDATE versions SET description = @description, tags = @tags WHERE model = @model AND version = @version",
                ("@description", description ?? current.Description),
                ("@tags", JsonSerializer.Serialize(tags ?? current.Tags, RegistryJsonContext.Default.IReadOnlyDictionaryStringString)),
                ("@model", modelName),
                ("@version", version));
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await TouchAsync(connection, transaction, modelName, cancellationToken).ConfigureAwait(false);
            return await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public async Task<ModelVersion> RegisterVersionAsync(string modelName, NewModelVersion version, Stream artifact, CancellationToken cancellationToken)
    {
        CheckName(modelName, nameof(modelName));
        ArgumentNullException.ThrowIfNull(version);
        CheckName(version.Trainer, nameof(version));
        var (sha, size, content, owned) = await Artifacts.PrepareAsync(artifact, cancellationToken).ConfigureAwait(false);
        try
        {
            return await RegisterVersionAsync(modelName, version, sha, size, content, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (owned)
            {
                await content.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<ModelVersion> RegisterVersionAsync(string modelName, NewModelVersion version, string sha, long size, Stream content, CancellationToken cancellationToken)
    {
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
                ("@metrics", JsonSerializer.Serialize(version.Metrics, RegistryJsonContext.Default.IReadOnlyDictionaryStringDouble)),
                ("@lineage", version.Lineage is null ? null : JsonSerializer.Serialize(version.Lineage, RegistryJsonContext.Default.ModelLineage)),
                ("@signature", version.Signature),
                ("@tags", JsonSerializer.Serialize(version.Tags, RegistryJsonContext.Default.IReadOnlyDictionaryStringString)),
                ("@description", version.Description),
                ("@now", now));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return n;
        }, cancellationToken).ConfigureAwait(false);

        // 2. Store the artifact (temporary file, flush, rename), then 3. mark READY with its hash in one transaction.
        try
        {
            await _artifacts.PutAsync(sha, content, size, cancellationToken).ConfigureAwait(false);
            return await WriteAsync(async (connection, transaction) =>
            {
                await using var ready = Command(
                    connection,
                    transaction,
                    "UPDATE versions SET status = 'Ready', artifact_sha256 = @sha, artifact_size = @size WHERE model = @model AND version = @version",
                    ("@sha", sha),
                    ("@size", size),
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

    public async Task<Stream> OpenArtifactAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        var v = await GetVersionAsync(modelName, version, cancellationToken).ConfigureAwait(false);
        RequireReady(v);
        var stored = await _artifacts.OpenReadAsync(v.ArtifactSha256, cancellationToken).ConfigureAwait(false)
            ?? throw new ArtifactIntegrityException($"The artifact of {modelName} version {version} (sha256 {v.ArtifactSha256}) is missing.");
        return new VerifiedArtifactStream(stored, v);
    }

    private static void RequireReady(ModelVersion version)
    {
        if (version.Status != ModelVersionStatus.Ready)
        {
            throw new RegistryException($"{version.ModelName} version {version.Version} is {version.Status}, not Ready.");
        }
    }

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
                Metrics = JsonSerializer.Deserialize(reader.GetString(6), RegistryJsonContext.Default.DictionaryStringDouble) ?? [],
                Lineage = reader.IsDBNull(7) ? null : JsonSerializer.Deserialize(reader.GetString(7), RegistryJsonContext.Default.ModelLineage),
                Signature = reader.IsDBNull(8) ? null : reader.GetString(8),
                Tags = JsonSerializer.Deserialize(reader.GetString(9), RegistryJsonContext.Default.DictionaryStringString) ?? [],
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
}
