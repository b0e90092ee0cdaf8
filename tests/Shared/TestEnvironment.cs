using Npgsql;

namespace Recsys.Tests.Shared;

/// <summary>
/// What several test projects need from the machine: the PostgreSQL server (<c>RECSYS_POSTGRES</c>, by default the
/// one <c>scripts/start-services.sh</c> starts) and the built <c>recsys</c> CLI. A missing server skips the test with
/// the reason, unless <c>RECSYS_REQUIRE_SERVICES=1</c> (as in CI), where it fails.
/// </summary>
internal static class TestEnvironment
{
    public const string DefaultPostgres = "Host=127.0.0.1;Port=5433;Username=postgres;Database=recsys_test";

    private static readonly Lazy<string?> PostgresProblem = new(() =>
    {
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Timeout = 3 }.ToString());
            connection.Open();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or ArgumentException)
        {
            return $"{PostgresConnectionString}: {e.Message}";
        }
    });

    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("RECSYS_POSTGRES") is { Length: > 0 } value ? value : DefaultPostgres;

    public static void RequirePostgres() => Require("PostgreSQL", PostgresProblem.Value);

    /// <summary>Skips (or, with RECSYS_REQUIRE_SERVICES=1, fails) the current test when <paramref name="problem"/> is set.</summary>
    public static void Require(string what, string? problem)
    {
        if (problem is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("RECSYS_REQUIRE_SERVICES") == "1")
        {
            throw new InvalidOperationException($"RECSYS_REQUIRE_SERVICES=1 but {what} is unavailable: {problem}");
        }

        var fix = what == "PostgreSQL" ? "Run scripts/start-services.sh or set RECSYS_POSTGRES." : "Run scripts/start-services.sh (it installs the Debian package).";
        Assert.Skip($"{what} is unavailable ({problem}). {fix}");
    }

    /// <summary>A new schema name for one test; drop it with <see cref="DropSchema"/>.</summary>
    public static string NewSchema() => $"recsys_test_{Guid.NewGuid():N}";

    public static void DropSchema(string schema)
    {
        using var connection = new NpgsqlConnection(PostgresConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        command.ExecuteNonQuery();
    }
}
