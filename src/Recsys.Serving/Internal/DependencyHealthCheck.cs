using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Registry;

namespace Recsys.Serving;

/// <summary>
/// Degraded while the interaction store, the registry or the distributed cache is out (serving goes on from memory); each check of an out
/// component asks it once more, so <c>/health</c> turns Healthy by itself within a check of the database's return.
/// </summary>
internal sealed class DependencyHealthCheck(DependencyHealth health, IInteractionStore store, IModelRegistry registry, IOptions<RecommenderOptions> options, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var (component, _, _) in health.Outages)
        {
            await health.CallAsync(component, ProbeAsync, gated: false, cancellationToken).ConfigureAwait(false);

            async Task<bool> ProbeAsync(CancellationToken ct)
            {
                if (component == DependencyHealth.DistributedCache)
                {
                    if (services.GetKeyedService<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(RecsysServiceKeys.Cache) is ResilientDistributedCache cache)
                    {
                        await cache.ProbeAsync(ct).ConfigureAwait(false);
                    }

                    return true;
                }

                if (component == DependencyHealth.InteractionStore)
                {
                    await store.GetUserInteractionsAsync("", ct).ConfigureAwait(false);
                    return true;
                }

                // Any answer (the model or none) is the registry answering.
                await registry.FindModelAsync(options.Value.ModelName, ct).ConfigureAwait(false);
                return true;
            }
        }

        var outages = health.Outages;
        return outages.Count == 0
            ? HealthCheckResult.Healthy("The interaction store, the registry and the distributed cache (if any) answer.")
            : HealthCheckResult.Degraded(string.Join("; ", outages.Select(o => o.Component == DependencyHealth.DistributedCache
                ? $"the {o.Component} is unavailable since {o.Since:u} ({o.Error}); serving without it"
                : $"the {o.Component} is unavailable since {o.Since:u} ({o.Error}); serving from memory")));
    }
}
