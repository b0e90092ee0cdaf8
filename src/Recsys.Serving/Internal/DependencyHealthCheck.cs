using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Registry;

namespace Recsys.Serving;

/// <summary>
/// Degraded while the interaction store or the registry is out (serving goes on from memory); each check of an out
/// component asks it once more, so <c>/health</c> turns Healthy by itself within a check of the database's return.
/// </summary>
internal sealed class DependencyHealthCheck(DependencyHealth health, IInteractionStore store, IModelRegistry registry, IOptions<RecommenderOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var (component, _, _) in health.Outages)
        {
            await health.CallAsync(component, ProbeAsync, gated: false, cancellationToken).ConfigureAwait(false);

            async Task<bool> ProbeAsync(CancellationToken ct)
            {
                if (component == DependencyHealth.InteractionStore)
                {
                    await store.GetUserInteractionsAsync("", ct).ConfigureAwait(false);
                    return true;
                }

                try
                {
                    await registry.GetByStageAsync(options.Value.ModelName, options.Value.Stage, ct).ConfigureAwait(false);
                }
                catch (RegistryEntryNotFoundException)
                {
                    // the registry answered
                }

                return true;
            }
        }

        var outages = health.Outages;
        return outages.Count == 0
            ? HealthCheckResult.Healthy("The interaction store and the registry answer.")
            : HealthCheckResult.Degraded(string.Join("; ", outages.Select(o => $"the {o.Component} is unavailable since {o.Since:u} ({o.Error}); serving from memory")));
    }
}
