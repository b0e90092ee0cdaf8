namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// What <see cref="RecsysServiceCollectionExtensions.AddRecsys(IServiceCollection)"/> returns: a backend
/// (<c>.UseSqlite(…)</c> from Recsys.Registry.Sqlite, <c>.UsePostgreSql(…)</c> from Recsys.Registry.PostgreSql), serving and
/// retraining hang off it.
/// </summary>
public interface IRecsysBuilder
{
    /// <summary>Gets the service collection.</summary>
    IServiceCollection Services { get; }
}
