using Recsys.Registry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the embedded SQLite backend on the Recsys builder.</summary>
public static class RecsysBuilderSqliteExtensions
{
    /// <summary>
    /// Uses the embedded backend in <paramref name="directory"/> (see <see cref="SqliteBackend.Open"/>): the registry,
    /// run store and interaction store, owned and disposed by the container.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The directory; relative paths are resolved against the current directory now.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder UseSqlite(this IRecsysBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var path = Path.GetFullPath(directory);
        return builder.UseBackend(sp => SqliteBackend.Open(path, sp.GetService<TimeProvider>()));
    }

    /// <summary>Uses an in-memory backend (see <see cref="SqliteBackend.CreateInMemory"/>): for tests and experiments.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder UseInMemory(this IRecsysBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseBackend(sp => SqliteBackend.CreateInMemory(sp.GetService<TimeProvider>()));
    }
}
