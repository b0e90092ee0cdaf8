using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Recsys;
using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Recsys core: one backend's stores and the clock, for web hosts, workers and console programs alike.</summary>
public static class RecsysServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Recsys core and returns its builder. A backend must be chosen on the builder; resolving a store
    /// without one fails with an error that names the fix. Calling it again adds nothing twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder AddRecsys(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRecsysBackend>(_ => throw new InvalidOperationException(
            "No Recsys backend is configured: call services.AddRecsys().UseSqlite(directory) (package Recsys.Registry.Sqlite) or "
            + ".UsePostgreSql(connectionString) (package Recsys.Registry.PostgreSql), or .UseBackend(…) for your own."));
        services.TryAddSingleton<IModelRegistry>(sp => sp.GetRequiredService<IRecsysBackend>().Registry);
        services.TryAddSingleton<IRunStore>(sp => sp.GetRequiredService<IRecsysBackend>().Runs);
        services.TryAddSingleton<IInteractionStore>(sp => sp.GetRequiredService<IRecsysBackend>().Interactions);
        return new RecsysBuilder(services);
    }

    /// <summary>
    /// Uses a backend built by <paramref name="factory"/> (backend packages call this; so can tests and custom
    /// backends). The container owns it and disposes it at shutdown; the registry, run store and interaction store
    /// resolve to its stores.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the backend once, on first use.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder UseBackend(this IRecsysBuilder builder, Func<IServiceProvider, IRecsysBackend> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<IRecsysBackend>();
        builder.Services.AddSingleton(factory);
        return builder;
    }

    /// <summary>
    /// Registers the serializer of a custom model kind (a trainer outside this library), so that the retraining flow
    /// can register its models and serving can load them. Adding the same serializer type twice adds it once.
    /// </summary>
    /// <typeparam name="TSerializer">The serializer.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder AddModelSerializer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSerializer>(this IRecsysBuilder builder)
        where TSerializer : class, IModelSerializer
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelSerializer, TSerializer>());
        return builder;
    }

    /// <summary>Registers a serializer instance of a custom model kind; see <see cref="AddModelSerializer{TSerializer}(IRecsysBuilder)"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="serializer">The serializer.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder AddModelSerializer(this IRecsysBuilder builder, IModelSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(serializer);
        builder.Services.AddSingleton(serializer);
        return builder;
    }

    private sealed class RecsysBuilder(IServiceCollection services) : IRecsysBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
