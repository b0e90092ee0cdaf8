using Microsoft.Extensions.Logging;
using Recsys.Registry;

namespace Recsys.Serving;

/// <summary>
/// Follows the registry's change feed for the served models from a watermark: a relevant change (a stage or alias
/// moved, a version of a served model registered) reloads; a feed that delivers ends a registry outage; a broken feed
/// (a database restart) is reported once per outage and re-opened after a pause.
/// </summary>
internal sealed class ModelChangeFeed(
    IModelRegistry registry,
    DependencyHealth health,
    TimeProvider time,
    ILogger logger,
    Func<RegistryChange, bool> isRelevant,
    Func<CancellationToken, bool, Task<IReadOnlyList<ReloadOutcome>>> reload)
{
    /// <summary>Follows the feed until the host stops; the watermark is the last change already applied.</summary>
    public async Task FollowAsync(long watermark, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in registry.WatchAsync(watermark, stoppingToken).ConfigureAwait(false))
                {
                    health.Succeeded(DependencyHealth.Registry); // the feed delivers: an outage of it has ended
                    watermark = change.Sequence;
                    if (isRelevant(change))
                    {
                        await reload(stoppingToken, false).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (DependencyHealth.IsOutage(DependencyHealth.Registry, e, stoppingToken))
                {
                    health.Failed(DependencyHealth.Registry, e); // logged once per outage
                }
                else
                {
                    Log.FeedFailed(logger, e);
                }

                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }
}
