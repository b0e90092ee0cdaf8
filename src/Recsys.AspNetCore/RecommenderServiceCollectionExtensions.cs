using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;
using StackExchange.Redis;

namespace Recsys.AspNetCore;

/// <summary>What <c>AddRecommender</c> returns: registry backends and caches extend it.</summary>
public interface IRecommenderBuilder
{
    /// <summary>Gets the service collection.</summary>
    IServiceCollection Services { get; }
}

/// <summary>Registers the recommender services.</summary>
public static class RecommenderServiceCollectionExtensions
{
    /// <summary>
    /// Adds model serving: options bound from the <c>Recsys</c> configuration section (<see cref="RecommenderOptions.SectionName"/>)
    /// when the host has configuration, the embedded SQLite registry and interaction store in <c>./recsys-registry</c>
    /// unless a backend is added, HybridCache, metrics, health checks and OpenAPI. Calling it again adds nothing twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The builder.</returns>
    public static IRecommenderBuilder AddRecommender(this IServiceCollection services) => services.AddRecommender(_ => { });

    /// <summary>
    /// Adds model serving (see <see cref="AddRecommender(IServiceCollection)"/>) and configures its options; the
    /// delegate runs after the <c>Recsys</c> configuration section is bound, so what it sets wins.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options (validated at start-up).</param>
    /// <returns>The builder.</returns>
    public static IRecommenderBuilder AddRecommender(this IServiceCollection services, Action<RecommenderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new RecommenderBuilder(services);
        if (services.Any(d => d.ServiceType == typeof(RecommenderMarker)))
        {
            services.Configure(configure);
            return builder;
        }

        services.AddSingleton<RecommenderMarker>();
        services.AddSingleton<IConfigureOptions<RecommenderOptions>>(sp => new ConfigureOptions<RecommenderOptions>(
            options => sp.GetService<IConfiguration>()?.GetSection(RecommenderOptions.SectionName).Bind(options)));
        services.Configure(configure);
        services.AddOptions<RecommenderOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RecommenderOptions>, RecommenderOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IModelRegistry>(_ => ModelRegistries.OpenSqlite(Path.GetFullPath("recsys-registry")));
        services.TryAddSingleton<IInteractionStore>(_ => InteractionStores.OpenSqlite(Path.GetFullPath("recsys-registry")));
        services.TryAddSingleton<IRunStore>(_ => ModelRegistries.OpenSqliteRunStore(Path.GetFullPath("recsys-registry")));
        services.AddMemoryCache();
        services.AddHybridCache();
        services.AddMetrics();
        services.TryAddSingleton<RecommenderMetrics>();
        services.TryAddSingleton<ModelProvider>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelProvider>());
        services.TryAddSingleton<DependencyHealth>();
        services.TryAddSingleton<RecentInteractions>();
        services.TryAddSingleton<RecommendationService>();
        services.AddHealthChecks()
            .AddCheck<ModelLoadedHealthCheck>("model", tags: [ModelLoadedHealthCheck.ReadyTag])
            .AddCheck<DependencyHealthCheck>("databases");
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(RecommenderMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());
        services.AddOpenApi("recsys", OpenApiContract.Configure);
        services.AddProblemDetails();
        return builder;
    }

    /// <summary>Uses the embedded registry (SQLite + artifact folder) and interaction store in <paramref name="directory"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The registry directory.</param>
    /// <returns>The builder.</returns>
    public static IRecommenderBuilder AddSqliteRegistry(this IRecommenderBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var path = Path.GetFullPath(directory);
        return builder.UseRegistry(_ => ModelRegistries.OpenSqlite(path), _ => InteractionStores.OpenSqlite(path), _ => ModelRegistries.OpenSqliteRunStore(path));
    }

    /// <summary>
    /// Uses the PostgreSQL registry and interaction store (several replicas share them; promotions reach every replica
    /// through LISTEN/NOTIFY).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string; the first schema of its search path holds the tables.</param>
    /// <returns>The builder.</returns>
    public static IRecommenderBuilder AddPostgreSqlRegistry(this IRecommenderBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return builder.UseRegistry(_ => PostgreSqlModelRegistries.Open(connectionString), _ => PostgreSqlInteractionStores.Open(connectionString), _ => PostgreSqlModelRegistries.OpenRunStore(connectionString));
    }

    /// <summary>Uses a registry, interaction store and run store built elsewhere (tests, custom backends).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="registry">Creates the registry.</param>
    /// <param name="interactions">Creates the interaction store.</param>
    /// <param name="runs">Creates the retraining run store.</param>
    /// <returns>The builder.</returns>
    public static IRecommenderBuilder UseRegistry(this IRecommenderBuilder builder, Func<IServiceProvider, IModelRegistry> registry, Func<IServiceProvider, IInteractionStore> interactions, Func<IServiceProvider, IRunStore> runs)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IModelRegistry>();
        builder.Services.RemoveAll<IInteractionStore>();
        builder.Services.RemoveAll<IRunStore>();
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(interactions);
        builder.Services.AddSingleton(runs);
        return builder;
    }

    /// <summary>
    /// Adds Redis as HybridCache's second level. If Redis is unreachable, requests are served without it (a cache
    /// miss, logged and counted), never failed.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>127.0.0.1:6379</c>.</param>
    /// <returns>The builder.</returns>
    public static IRecommenderBuilder AddRedisCache(this IRecommenderBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        var redis = ConfigurationOptions.Parse(configuration);
        redis.AbortOnConnectFail = false;
        redis.ConnectTimeout = Math.Min(redis.ConnectTimeout, 2_000);
        redis.SyncTimeout = Math.Min(redis.SyncTimeout, 1_000);
        redis.AsyncTimeout = Math.Min(redis.AsyncTimeout, 1_000);
        redis.BacklogPolicy = BacklogPolicy.FailFast;
        builder.Services.RemoveAll<IDistributedCache>();
        builder.Services.AddSingleton<IDistributedCache>(sp => new ResilientDistributedCache(
            new RedisCache(Options.Create(new RedisCacheOptions { ConfigurationOptions = redis, InstanceName = "recsys:" })),
            sp.GetRequiredService<RecommenderMetrics>(),
            sp.GetRequiredService<ILogger<ResilientDistributedCache>>(),
            sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    private sealed class RecommenderBuilder(IServiceCollection services) : IRecommenderBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    private sealed class RecommenderMarker;
}

/// <summary>Checks <see cref="RecommenderOptions"/> at start-up, naming every bad setting.</summary>
internal sealed class RecommenderOptionsValidator : IValidateOptions<RecommenderOptions>
{
    public ValidateOptionsResult Validate(string? name, RecommenderOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ModelName))
        {
            errors.Add("Recsys:ModelName must not be empty.");
        }

        if (!Enum.IsDefined(options.Stage))
        {
            errors.Add($"Recsys:Stage '{options.Stage}' is not a stage (None, Staging, Production, Archived).");
        }

        if (options.MaxCount < 1)
        {
            errors.Add($"Recsys:MaxCount must be at least 1; it is {options.MaxCount}.");
        }

        if (options.DefaultCount < 1 || options.DefaultCount > options.MaxCount)
        {
            errors.Add($"Recsys:DefaultCount must be between 1 and MaxCount ({options.MaxCount}); it is {options.DefaultCount}.");
        }

        if (options.MaxIdLength < 1)
        {
            errors.Add("Recsys:MaxIdLength must be at least 1.");
        }

        if (options.MaxRequestBodyBytes < 1024)
        {
            errors.Add("Recsys:MaxRequestBodyBytes must be at least 1024.");
        }

        if (options.CacheDuration < TimeSpan.Zero)
        {
            errors.Add("Recsys:CacheDuration must not be negative.");
        }

        if (options.Experiment.Any(v => string.IsNullOrWhiteSpace(v.Alias) || v.Weight < 0) || (options.Experiment.Count > 0 && options.Experiment.Sum(v => v.Weight) <= 0))
        {
            errors.Add("Recsys:Experiment arms need an alias and a non-negative weight, with a positive total.");
        }

        if (options.Bootstrap.Enabled && !RecommenderAlgorithms.Names.Contains(options.Bootstrap.Algorithm))
        {
            errors.Add($"Recsys:Bootstrap:Algorithm '{options.Bootstrap.Algorithm}' is unknown; use one of {string.Join(", ", RecommenderAlgorithms.Names)}.");
        }

        foreach (var (model, algorithm) in options.Bootstrap.Companions)
        {
            if (!RecommenderAlgorithms.Names.Contains(algorithm, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"Recsys:Bootstrap:Companions:{model} names the unknown algorithm '{algorithm}'; use one of {string.Join(", ", RecommenderAlgorithms.Names)}.");
            }

            if (string.IsNullOrWhiteSpace(model) || model == options.ModelName)
            {
                errors.Add($"Recsys:Bootstrap:Companions: '{model}' must be a model name other than Recsys:ModelName.");
            }
        }

        if (options.Bootstrap.TestFraction is <= 0 or >= 1)
        {
            errors.Add("Recsys:Bootstrap:TestFraction must be between 0 and 1.");
        }

        if (options.Bootstrap.DataPath is { } data && !File.Exists(data))
        {
            errors.Add($"Recsys:Bootstrap:DataPath '{data}' does not exist.");
        }

        if (options.MoviesPath is { } movies && !File.Exists(movies))
        {
            errors.Add($"Recsys:MoviesPath '{movies}' does not exist.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
