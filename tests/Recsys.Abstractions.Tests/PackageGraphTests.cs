using System.Xml.Linq;

namespace Recsys.Abstractions.Tests;

/// <summary>
/// The package graph, read from the src/ project files: each package references exactly the Recsys packages allowed
/// here, and serving never reaches training, data readers or a database driver (a serving replica ships none of them).
/// Adding a package or a reference means changing this table, on purpose.
/// </summary>
public sealed class PackageGraphTests
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Recsys.Abstractions"] = [],
        ["Recsys.Data"] = ["Recsys.Abstractions"],
        ["Recsys.Evaluation"] = ["Recsys.Abstractions"],
        // The algorithms and the model format: contracts only. Blend, hybrid and the hyper-parameter search receive an
        // IHoldoutValidator (Recsys.Evaluation's HoldoutValidator) instead of calling the evaluator.
        ["Recsys.Factorization"] = ["Recsys.Abstractions"],
        // The registry core and the promotion policy; the storage is a backend package's.
        ["Recsys.Registry"] = ["Recsys.Abstractions"],
        ["Recsys.Registry.Sqlite"] = ["Recsys.Registry"],
        ["Recsys.Registry.PostgreSql"] = ["Recsys.Registry"],
        ["Recsys.Registry.AzureBlob"] = ["Recsys.Registry"],
        ["Recsys.Registry.S3"] = ["Recsys.Registry"],
        ["Recsys.Retraining"] = ["Recsys.Data", "Recsys.Evaluation", "Recsys.Factorization", "Recsys.Registry"],
        // Serving: the contracts and the model format only; the bootstrap and the retrain endpoint reach training
        // through IModelBootstrapper and IRetrainingLauncher, which Recsys.Retraining registers.
        ["Recsys.Serving"] = ["Recsys.Factorization"],
        ["Recsys.AspNetCore"] = ["Recsys.Serving"],
    };

    // Prefixes: training, data readers, database drivers, and the host's choices (exporters, cache clients) that a
    // library must leave to the host.
    private static readonly string[] NotForServing =
    [
        "Recsys.Retraining", "Recsys.Data", "Recsys.Evaluation", "Recsys.Registry", "Polly", "Cronos", "Parquet.Net", "Microsoft.Data.Sqlite", "Npgsql",
        "StackExchange.Redis", "Microsoft.Extensions.Caching.StackExchangeRedis", "OpenTelemetry",
    ];

    [Fact]
    public void EveryPackage_ReferencesExactlyTheAllowedPackages()
    {
        var projects = Projects();
        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), projects.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, project) in projects)
        {
            Assert.True(
                Allowed[name].Order(StringComparer.Ordinal).SequenceEqual(project.Projects.Order(StringComparer.Ordinal)),
                $"{name} references {string.Join(", ", project.Projects)}; allowed: {string.Join(", ", Allowed[name])}");
        }
    }

    [Fact]
    public void OnlyTheSqliteBackend_CarriesSqlite_AndOnlyThePostgreSqlBackend_Npgsql()
    {
        var projects = Projects();
        var sqlite = projects.Where(p => p.Value.Packages.Contains("Microsoft.Data.Sqlite")).Select(p => p.Key).ToList();
        var npgsql = projects.Where(p => p.Value.Packages.Contains("Npgsql")).Select(p => p.Key).ToList();

        Assert.Equal(["Recsys.Registry.Sqlite"], sqlite);
        Assert.Equal(["Recsys.Registry.PostgreSql"], npgsql);
    }

    [Theory]
    [InlineData("Recsys.Serving")]
    [InlineData("Recsys.AspNetCore")]
    public void Serving_ReachesNoTrainingDataReaderDatabaseDriverExporterOrCacheClient(string package)
    {
        var projects = Projects();
        var reached = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([package]);
        while (pending.TryPop(out var name))
        {
            if (!reached.Add(name) || !projects.TryGetValue(name, out var project))
            {
                continue;
            }

            foreach (var next in project.Projects.Concat(project.Packages))
            {
                pending.Push(next);
            }
        }

        var offending = reached.Where(name => NotForServing.Any(prefix => name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal))).ToList();
        Assert.True(offending.Count == 0, $"{package} reaches {string.Join(", ", offending)} (all it reaches: {string.Join(", ", reached)})");
        Assert.Contains("Recsys.Abstractions", reached);
    }

    private static Dictionary<string, (string[] Projects, string[] Packages)> Projects()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        return Directory.EnumerateFiles(src, "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(
                path => Path.GetFileNameWithoutExtension(path),
                path =>
                {
                    var document = XDocument.Load(path);
                    var projects = document.Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/'))).ToArray();
                    var packages = document.Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value).ToArray();
                    return (projects, packages);
                },
                StringComparer.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Recsys.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Recsys.sln above {AppContext.BaseDirectory}.");
    }
}
