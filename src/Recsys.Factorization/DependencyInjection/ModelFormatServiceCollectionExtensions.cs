using Microsoft.Extensions.DependencyInjection.Extensions;
using Recsys.Recommenders;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the one artifact ↔ model path serving and retraining share.</summary>
public static class ModelFormatServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="ModelFormat"/> that writes and reads registered models with every
    /// <see cref="IModelSerializer"/> of the container (<c>AddRecsys().AddModelSerializer&lt;T&gt;()</c>), unless one is
    /// registered already; serving and retraining both call it, so they always agree on the format.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection TryAddModelFormat(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new ModelFormat(sp.GetServices<IModelSerializer>()));
        return services;
    }
}
