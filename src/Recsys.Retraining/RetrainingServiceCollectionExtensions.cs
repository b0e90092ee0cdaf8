using System.Diagnostics.Metrics;
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
            sp.GetRequiredService<ModelFormat>())); // registered by AddRecsysBootstrap below
        services.TryAddSingleton<IRetrainingLauncher>(sp => sp.GetRequiredService<RetrainingService>());
        return services.AddRecsysBootstrap();
    }

    /// <summary>
    /// Adds the <see cref="IModelBootstrapper"/> that serving calls when its bootstrap is enabled and the registry
    /// holds no version of a model: one retraining run trains, measures, registers and promotes it. <see cref="AddRetraining(IServiceCollection, Action{RetrainingOptions})"/>
    /// adds it too; a serving host without retraining calls this to bootstrap.
    /// </summary>
    /// <param name="services">The services (a registry backend provides the registry and run store).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddRecsysBootstrap(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ModelFormat(sp.GetServices<IModelSerializer>()));
        services.TryAddSingleton<IModelBootstrapper>(sp => new Internal.RetrainingBootstrapper(
            sp.GetRequiredService<ModelFormat>(),
            sp.GetRequiredService<IModelRegistry>(),
            sp.GetRequiredService<IRunStore>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IMeterFactory>()));
        return services;
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

    /// <summary>Adds the bootstrap of empty models on the Recsys builder; see <see cref="AddRecsysBootstrap(IServiceCollection)"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder AddBootstrap(this IRecsysBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRecsysBootstrap();
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
