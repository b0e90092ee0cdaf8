using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Data;
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
            sp.GetService<IMeterFactory>()));
        return services;
    }

    /// <summary>Adds <see cref="RetrainingWorker"/>, the hosted service that runs the flow on its triggers.</summary>
    /// <param name="services">The services (call <see cref="AddRetraining"/> too).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddRetrainingWorker(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<RetrainingWorker>();
        return services;
    }
}
