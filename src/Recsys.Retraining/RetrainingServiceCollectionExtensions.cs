using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Retraining;

/// <summary>Registers the retraining flow.</summary>
public static class RetrainingServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="RetrainingService"/>. It needs an <see cref="IModelRegistry"/> and an <see cref="IRunStore"/>
    /// (the registry backends' registrations add both) and an <see cref="IInteractionSource"/>; without one it reads the
    /// registered <see cref="IInteractionStore"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the flow (candidates, split, promotion policy, triggers).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddRetraining(this IServiceCollection services, Action<RetrainingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        services.AddOptions<RetrainingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetrainingOptions>, RetrainingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IInteractionSource>(sp => InteractionSources.Store(sp.GetRequiredService<IInteractionStore>()));
        services.TryAddSingleton(sp => new RetrainingService(
            sp.GetRequiredService<IModelRegistry>(),
            sp.GetRequiredService<IRunStore>(),
            sp.GetRequiredService<IInteractionSource>(),
            sp.GetRequiredService<IOptions<RetrainingOptions>>(),
            sp.GetRequiredService<ILogger<RetrainingService>>(),
            sp.GetService<IInteractionStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IMeterFactory>(),
            sp.GetRequiredService<ModelFormat>()));
        services.TryAddSingleton<IRetrainingLauncher>(sp => sp.GetRequiredService<RetrainingService>());
        services.TryAddModelFormat();
        return services;
    }

    /// <summary>
    /// Adds the bootstrap of an empty registry, a hosted service: when the host starts and the registry holds no version
    /// of <see cref="BootstrapOptions.ModelName"/> (or of a companion), one retraining run trains, measures, registers
    /// and promotes a first version and puts it at the configured stage or alias; of several replicas starting together,
    /// one trains and the others wait. A serving host in the same process waits for it (<see cref="IModelBootstrapper"/>)
    /// and serves what it registered; a worker host can bootstrap a registry that serving-only replicas read. The
    /// options are bound from the host's configuration (<see cref="BootstrapOptions"/> says which keys) when one is
    /// registered; <paramref name="configure"/> runs after that, so what it sets wins.
    /// </summary>
    /// <param name="services">The services (a registry backend provides the registry and run store).</param>
    /// <param name="configure">Configures the bootstrap, or <see langword="null"/> for the configuration's settings.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddRecsysBootstrap(this IServiceCollection services, Action<BootstrapOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(Internal.ModelBootstrapService)))
        {
            services.AddSingleton<IConfigureOptions<BootstrapOptions>>(sp => new ConfigureOptions<BootstrapOptions>(
                options => Bind(sp.GetService<IConfiguration>(), options)));
            services.AddOptions<BootstrapOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BootstrapOptions>, Internal.BootstrapOptionsValidator>());
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddModelFormat();
            services.AddSingleton(sp => new Internal.ModelBootstrapService(
                sp.GetRequiredService<IOptions<BootstrapOptions>>(),
                sp.GetRequiredService<ModelFormat>(),
                sp.GetRequiredService<IModelRegistry>(),
                sp.GetRequiredService<IRunStore>(),
                sp.GetRequiredService<ILoggerFactory>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<IMeterFactory>()));
            services.AddSingleton<IModelBootstrapper>(sp => sp.GetRequiredService<Internal.ModelBootstrapService>());
            services.AddHostedService(sp => sp.GetRequiredService<Internal.ModelBootstrapService>());
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }

    /// <summary>Binds the bootstrap's section and the served model's keys, which serving reads too.</summary>
    private static void Bind(IConfiguration? configuration, BootstrapOptions options)
    {
        if (configuration is null)
        {
            return;
        }

        configuration.GetSection(BootstrapOptions.SectionName).Bind(options);
        var recsys = configuration.GetSection("Recsys");
        options.ModelName = recsys["ModelName"] is { Length: > 0 } model ? model : options.ModelName;
        options.Stage = recsys.GetValue("Stage", options.Stage);
        options.Alias = recsys["Alias"] is { Length: > 0 } alias ? alias : options.Alias;
        options.MoviesPath = recsys["MoviesPath"] is { Length: > 0 } movies ? movies : options.MoviesPath;
    }

    /// <summary>
    /// Adds the retraining flow on the Recsys builder, beside the backend and serving
    /// (<c>services.AddRecsys().UseSqlite(dir).AddRetraining(o => …)</c>); see
    /// <see cref="AddRetraining(IServiceCollection, Action{RetrainingOptions})"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the flow.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder AddRetraining(this IRecsysBuilder builder, Action<RetrainingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRetraining(configure);
        return builder;
    }

    /// <summary>Adds the bootstrap of empty models on the Recsys builder; see <see cref="AddRecsysBootstrap(IServiceCollection, Action{BootstrapOptions}?)"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the bootstrap, or <see langword="null"/> for the configuration's settings.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder AddBootstrap(this IRecsysBuilder builder, Action<BootstrapOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRecsysBootstrap(configure);
        return builder;
    }

    /// <summary>Adds <see cref="RetrainingWorker"/>, the hosted service that runs the flow on its triggers.</summary>
    /// <param name="services">The services (call <see cref="AddRetraining(IServiceCollection, Action{RetrainingOptions})"/> too).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddRetrainingWorker(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<RetrainingWorker>();
        return services;
    }
}
