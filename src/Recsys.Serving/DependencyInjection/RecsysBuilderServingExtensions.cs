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
        // Recsys's own HybridCache (keyed, with options of its own name): the host's HybridCache and IDistributedCache,
        // if it has them, are neither replaced nor used. Its second level is only what UseDistributedCache gives it
        // (which points the options at the keyed IDistributedCache); without one, RecommendationService's entries skip
        // the second level, so the host's IDistributedCache is never written.
        services.AddKeyedHybridCache(RecsysServiceKeys.Cache, RecsysServiceKeys.Cache);
        services.AddMetrics();
        services.TryAddSingleton<RecommenderMetrics>();
        services.TryAddModelFormat();
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
    /// Uses a distributed cache (for example Redis) as the second level of Recsys's HybridCache, wrapped so that its
    /// outage is a cache miss (logged once per outage and counted in <c>recsys.cache.distributed_errors</c>), never a
    /// failed request. It is Recsys's own (a keyed service under <see cref="RecsysServiceKeys.Cache"/>): the host's
    /// <c>IDistributedCache</c>, if any, is left as it is. Calling it again replaces the previous one.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the cache, for example <c>_ =&gt; new RedisCache(…)</c>.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder UseDistributedCache(this IRecsysBuilder builder, Func<IServiceProvider, IDistributedCache> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Configure<Microsoft.Extensions.Caching.Hybrid.HybridCacheOptions>(RecsysServiceKeys.Cache, o => o.DistributedCacheServiceKey = RecsysServiceKeys.Cache);
        builder.Services.RemoveAllKeyed<IDistributedCache>(RecsysServiceKeys.Cache);
        builder.Services.AddKeyedSingleton<IDistributedCache>(RecsysServiceKeys.Cache, (sp, _) => new ResilientDistributedCache(
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
