using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Serving;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds in-process serving to the Recsys builder.</summary>
public static class RecsysBuilderServingExtensions
{
    /// <summary>
    /// Adds model serving: <see cref="IRecommendationService"/>, the hosted service that loads the served models and
    /// follows the registry's change feed, HybridCache, the serving meter and health checks
    /// (<see cref="RecsysHealthChecks"/>, for the host to map). Options are validated at start-up. Calling it again
    /// adds nothing twice. Nothing host-wide is configured: exporters, endpoints and probes are the host's choice.
    /// </summary>
    /// <param name="builder">The builder (<c>services.AddRecsys()</c> with a backend).</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder AddServing(this IRecsysBuilder builder) => builder.AddServing(_ => { });

    /// <summary>Adds model serving (see <see cref="AddServing(IRecsysBuilder)"/>) and configures its options.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options (validated at start-up).</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder AddServing(this IRecsysBuilder builder, Action<RecommenderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(ServingMarker)))
        {
            return builder;
        }

        services.AddSingleton<ServingMarker>();
        services.AddOptions<RecommenderOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RecommenderOptions>, RecommenderOptionsValidator>());
        services.AddMemoryCache();
        services.AddHybridCache();
        services.AddMetrics();
        services.TryAddSingleton<RecommenderMetrics>();
        services.TryAddSingleton<ModelProvider>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelProvider>());
        services.TryAddSingleton<DependencyHealth>();
        services.TryAddSingleton<RecentInteractions>();
        services.TryAddSingleton<RecommendationService>();
        services.TryAddSingleton<IRecommendationService>(sp => sp.GetRequiredService<RecommendationService>());
        services.AddHealthChecks()
            .AddCheck<ModelLoadedHealthCheck>(RecsysHealthChecks.ModelCheck, tags: [RecsysHealthChecks.ReadyTag])
            .AddCheck<DependencyHealthCheck>(RecsysHealthChecks.DatabasesCheck);
        return builder;
    }

    /// <summary>
    /// Uses a distributed cache (for example Redis) as HybridCache's second level, wrapped so that its outage is a
    /// cache miss (logged once per outage and counted in <c>recsys.cache.distributed_errors</c>), never a failed request.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the cache, for example <c>_ =&gt; new RedisCache(…)</c>.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder UseDistributedCache(this IRecsysBuilder builder, Func<IServiceProvider, IDistributedCache> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<IDistributedCache>();
        builder.Services.AddSingleton<IDistributedCache>(sp => new ResilientDistributedCache(
            factory(sp),
            sp.GetRequiredService<RecommenderMetrics>(),
            sp.GetRequiredService<ILogger<ResilientDistributedCache>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<DependencyHealth>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RecommenderOptions>>().Value.DistributedCacheTimeout));
        return builder;
    }

    private sealed class ServingMarker;
}
