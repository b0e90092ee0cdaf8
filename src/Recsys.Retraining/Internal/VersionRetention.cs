using System.Globalization;
using Microsoft.Extensions.Logging;
using Recsys.Registry;

namespace Recsys.Retraining.Internal;

/// <summary>What a run keeps of each model after its promotion (<see cref="RetrainingOptions.KeepVersions"/>).</summary>
internal sealed class VersionRetention(IModelRegistry registry, ILogger logger)
{
    /// <summary>
    /// Keeps the newest <paramref name="keep"/> versions of a model that are not in Production; older ones are archived
    /// and their artifacts deleted (metadata, metrics, lineage and history stay). Never touched: Production, aliased
    /// versions, and Staging versions an operator staged or that no newer Staging version supersedes. A Staging version a
    /// run staged and a newer one superseded is archived first.
    /// </summary>
    /// <returns>The versions whose artifacts were deleted.</returns>
    public async Task<List<int>> ApplyAsync(string model, int keep, string runId, CancellationToken cancellationToken)
    {
        var versions = (await registry.ListVersionsOrEmptyAsync(model, cancellationToken).ConfigureAwait(false)).OrderByDescending(v => v.Version).ToList();
        var newestStaging = versions.FirstOrDefault(v => v.Stage == ModelStage.Staging && v.Status == ModelVersionStatus.Ready)?.Version;
        var deleted = new List<int>();
        foreach (var version in versions.Where(v => v.Stage != ModelStage.Production).Skip(keep))
        {
            if (version.Status is ModelVersionStatus.ArtifactDeleted or ModelVersionStatus.Pending || version.Aliases.Count > 0)
            {
                continue;
            }

            var reason = string.Create(CultureInfo.InvariantCulture, $"retention: beyond the newest {keep} non-Production versions");
            if (version.Stage == ModelStage.Staging)
            {
                if (!version.Tags.ContainsKey("run_id") || version.Version == newestStaging)
                {
                    continue;
                }

                await registry.TransitionStageAsync(model, version.Version, ModelStage.Archived, archiveExisting: false, $"run {runId}", $"{reason}, superseded by the newer Staging v{newestStaging}", cancellationToken).ConfigureAwait(false);
            }
            else if (version.Stage == ModelStage.None && version.Status == ModelVersionStatus.Ready)
            {
                await registry.TransitionStageAsync(model, version.Version, ModelStage.Archived, archiveExisting: false, $"run {runId}", reason, cancellationToken).ConfigureAwait(false);
            }

            await registry.DeleteArtifactAsync(model, version.Version, $"run {runId}", reason, cancellationToken).ConfigureAwait(false);
            Log.ArtifactDeleted(logger, model, version.Version, keep);
            deleted.Add(version.Version);
        }

        return deleted;
    }
}
