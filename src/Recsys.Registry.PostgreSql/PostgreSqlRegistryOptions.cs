namespace Recsys.Registry;

/// <summary>Options of the PostgreSQL registry.</summary>
public sealed class PostgreSqlRegistryOptions
{
    /// <summary>
    /// Gets or sets the schema that holds the registry's tables, created when missing; <see langword="null"/> (the
    /// default) uses the first schema of the connection string's <c>Search Path</c>, else the server's default (normally <c>public</c>).
    /// </summary>
    public string? Schema { get; set; }

    /// <summary>Gets or sets the clock of timestamps; <see langword="null"/> for the system clock.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Gets or sets how long the change feed waits for a notification before it reads the history anyway (it also
    /// does so while the listening connection is broken); default 5 seconds.
    /// </summary>
    public TimeSpan FallbackPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets where artifacts are kept; <see langword="null"/> (the default) stores them in the database's
    /// <c>artifacts</c> table. Large models belong in blob storage: <c>AzureBlobArtifactStore</c> (package
    /// Recsys.Registry.AzureBlob) keeps them in a container while versions, stages and history stay in PostgreSQL.
    /// </summary>
    public IArtifactStore? Artifacts { get; set; }
}
