using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;
using Recsys.Tests.Shared;

namespace Recsys.Retraining.Tests;

/// <summary>Registries in temporary folders or PostgreSQL schemas, small data, and services over them.</summary>
internal sealed class Workspace : IDisposable
{
    private readonly string? _schema;

    private Workspace(string? schema, TimeProvider? time = null)
    {
        _schema = schema;
        Location = schema is null
            ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"recsys-retrain-{Guid.NewGuid():N}")
            : new NpgsqlConnectionStringBuilder(PostgresConnectionString) { SearchPath = schema }.ToString();
        Backend = schema is null ? SqliteBackend.Open(Location, time) : PostgreSqlBackend.Open(Location);
    }

    public static string PostgresConnectionString => TestEnvironment.PostgresConnectionString;

    /// <summary>A registry directory (SQLite) or a PostgreSQL connection string with its own schema.</summary>
    public string Location { get; }

    /// <summary>Gets the workspace's backend: registry, run store and interaction store on one pool.</summary>
    public IRecsysBackend Backend { get; }

    public IModelRegistry Registry => Backend.Registry;

    public IRunStore Runs => Backend.Runs;

    public IInteractionStore Interactions => Backend.Interactions;

    public static InteractionDataset SmallData { get; } =
        new SyntheticDataGenerator(new SyntheticDataOptions { Users = 400, Items = 600, Interactions = 30_000, Seed = 3 }).GenerateDataset();

    public static Workspace Sqlite() => new(null);

    /// <summary>
    /// A SQLite workspace whose stores read <paramref name="time"/>: a test that runs the service on a fake clock must
    /// give its stores the same one, or a run's start (the service's clock) and finish (the store's) disagree.
    /// </summary>
    public static Workspace Sqlite(TimeProvider time) => new(null, time);

    public static Workspace Postgres()
    {
        TestEnvironment.RequirePostgres();
        return new Workspace($"recsys_test_{Guid.NewGuid():N}");
    }

    public RetrainingService Service(IInteractionSource? source = null, Action<RetrainingOptions>? configure = null, IRunStore? runs = null, IModelRegistry? registry = null)
    {
        var options = new RetrainingOptions { ModelName = "movies", Split = "random:0.2" };
        options.Promotion.PrimaryMetric = "rmse"; // the default candidates below are rating models
        options.Load.BaseDelay = TimeSpan.FromMilliseconds(10);
        options.Registry.BaseDelay = TimeSpan.FromMilliseconds(10);
        options.Candidates.Add(new CandidateOptions { Algorithm = "biased-mf", Settings = new AlgorithmSettings { Epochs = 5, Rank = 8 } });
        options.Candidates.Add(new CandidateOptions { Algorithm = "als", Settings = new AlgorithmSettings { Epochs = 3, Rank = 8 } });
        configure?.Invoke(options);
        return new RetrainingService(registry ?? Registry, runs ?? Runs, source ?? InteractionSources.FromDelegate("small synthetic", _ => Task.FromResult(SmallData)), Options.Create(options), NullLogger<RetrainingService>.Instance);
    }

    public void Dispose()
    {
        Backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_schema is not null)
        {
            TestEnvironment.DropSchema(_schema);
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(Location))
            {
                Directory.Delete(Location, recursive: true);
            }
        }
    }
}

/// <summary>A trainer that throws, or that waits on each epoch so a test can cancel in the middle of training.</summary>
internal sealed class ScriptedTrainer(Action<int> onEpoch, int epochs = 50) : IRecommenderTrainer
{
    public string Algorithm => "scripted";

    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            onEpoch(epoch);
            progress?.Report(new TrainingProgress("scripted", epoch, epochs, 1.0 / epoch));
        }

        return RecommenderAlgorithms.Create("popularity").Fit(training, cancellationToken);
    }
}
