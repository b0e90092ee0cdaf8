using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Recsys.AspNetCore;
using Recsys.Serving;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the recommender's HTTP API.</summary>
public static class RecommenderServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Recsys core (<c>AddRecsys()</c>), in-process serving (<c>AddServing()</c>) and what the endpoints of
    /// <c>MapRecommender</c> need, with <see cref="RecommenderOptions"/> and <see cref="RecommenderHttpOptions"/> bound
    /// from the host's <c>Recsys</c> configuration section. Choose a backend on the returned builder
    /// (<c>.UseSqlite(dir)</c>, <c>.UsePostgreSql(…)</c>): without one the host fails at start-up, naming the fix.
    /// Nothing host-wide is added (no exporter, OpenAPI document, problem-details service or instrumentation).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder AddRecommender(this IServiceCollection services) => services.AddRecommender(_ => { });

    /// <summary>
    /// Adds the recommender (see <see cref="AddRecommender(IServiceCollection)"/>) and configures its options; the
    /// delegate runs after the <c>Recsys</c> configuration section is bound, so what it sets wins.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options (validated at start-up).</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder AddRecommender(this IServiceCollection services, Action<RecommenderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (!services.Any(d => d.ServiceType == typeof(RecommenderHttpMarker)))
        {
            services.AddSingleton<RecommenderHttpMarker>();
            services.AddSingleton<IConfigureOptions<RecommenderOptions>>(sp => new ConfigureOptions<RecommenderOptions>(
                options => sp.GetService<IConfiguration>()?.GetSection(RecommenderOptions.SectionName).Bind(options)));
            services.AddSingleton<IConfigureOptions<RecommenderHttpOptions>>(sp => new ConfigureOptions<RecommenderHttpOptions>(
                options => sp.GetService<IConfiguration>()?.GetSection(RecommenderOptions.SectionName).Bind(options)));
            services.AddOptions<RecommenderHttpOptions>().ValidateOnStart();
            services.AddSingleton<HttpWarmUp>();
            services.AddHostedService(sp => sp.GetRequiredService<HttpWarmUp>());
            services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, WarmUpMarker>();
            services.AddHealthChecks().AddCheck<HttpWarmUp>(HttpWarmUp.CheckName, tags: [RecsysHealthChecks.ReadyTag]);
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RecommenderHttpOptions>, RecommenderHttpOptionsValidator>());
        }

        return services.AddRecsys().AddServing(configure);
    }
}
