using Npgsql;

namespace Recsys.Registry.Tests;

/// <summary>
/// The PostgreSQL server of the tests: <c>RECSYS_POSTGRES</c> (an Npgsql connection string), by default the server
/// <c>scripts/start-services.sh</c> starts. When it does not answer, the tests that need it are skipped with the
/// reason, unless <c>RECSYS_REQUIRE_SERVICES=1</c> (as in CI), where they fail.
/// </summary>
internal static class PostgresServer
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5433;Username=postgres;Database=recsys_test";

    private static readonly Lazy<string?> Unavailable = new(Probe);

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("RECSYS_POSTGRES") is { Length: > 0 } value ? value : DefaultConnectionString;

    /// <summary>Skips the current test (or fails it when services are required) unless the server answers.</summary>
    public static void Require()
    {
        if (Unavailable.Value is { } reason)
        {
            if (Environment.GetEnvironmentVariable("RECSYS_REQUIRE_SERVICES") == "1")
            {
                throw new InvalidOperationException($"RECSYS_REQUIRE_SERVICES=1 but PostgreSQL is unavailable: {reason}");
            }

            Assert.Skip($"PostgreSQL is unavailable ({reason}). Run scripts/start-services.sh or set RECSYS_POSTGRES to an Npgsql connection string.");
        }
    }

    /// <summary>A new schema name for one test; drop it with <see cref="DropSchema"/>.</summary>
    public static string NewSchema() => $"recsys_test_{Guid.NewGuid():N}";

    public static void DropSchema(string schema)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        command.ExecuteNonQuery();
    }

    private static string? Probe()
    {
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Timeout = 3 }.ToString());
            connection.Open();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or ArgumentException)
        {
            return $"{ConnectionString}: {e.Message}";
        }
    }
}
