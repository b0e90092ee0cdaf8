using System.Data.Common;
using System.Globalization;

namespace Recsys.Registry;

internal abstract partial class SqlModelRegistry : IModelRegistry
{
    public Task<ModelVersion> TransitionStageAsync(string modelName, int version, ModelStage stage, bool archiveExisting, string actor, string? reason, CancellationToken cancellationToken)
    {
        CheckStage(stage);
        return WriteAsync((connection, transaction) => TransitionAsync(connection, transaction, modelName, version, stage, archiveExisting, actor, reason, RegistryChangeKind.StageChanged, cancellationToken), cancellationToken);
    }

    public Task<ModelVersion> SetAliasAsync(string modelName, string alias, int version, string actor, string? reason, CancellationToken cancellationToken)
    {
        CheckAlias(alias, nameof(alias));
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

    public Task RecordPromotionDecisionAsync(string modelName, int version, string actor, string decision, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await ReadVersionAsync(connection, transaction, modelName, version, cancellationToken).ConfigureAwait(false);

            // No stage on the entry: the move that follows is its own change (and stage rollbacks read only those).
            await AppendHistoryAsync(connection, transaction, RegistryChangeKind.PromotionDecided, modelName, version, null, null, null, null, actor, decision, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

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

    private static void CheckStage(ModelStage stage)
    {
        if (!Enum.IsDefined(stage))
        {
            throw new ArgumentOutOfRangeException(nameof(stage), stage, "Unknown stage; use None, Staging, Production or Archived.");
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
}
