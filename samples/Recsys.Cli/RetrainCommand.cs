using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Retraining;
using Recsys.Runs;

namespace Recsys.Cli;

/// <summary><c>recsys retrain</c> runs the retraining flow once; <c>recsys runs list|show</c> shows the run history.</summary>
internal static class RetrainCommand
{
    public static Command Create()
    {
        var registry = RegistryOption();
        var model = new Option<string>("--model") { Description = "The registered model to train.", DefaultValueFactory = _ => "movies" };
        var data = new DataOptions();
        var store = new Option<bool>("--with-interactions") { Description = "Add everything in the registry's interaction store (what POST /interactions stored)." };
        var candidates = new Option<string>("--candidates") { Description = "Comma-separated algorithms trained in parallel (those the metric cannot judge are registered but skipped in the comparison).", DefaultValueFactory = _ => "als-implicit,truncated-svd" };
        var split = new Option<string>("--split") { Description = "temporal:F, random:F, user:F or last:N.", DefaultValueFactory = _ => "temporal:0.2" };
        var metric = new Option<string>("--metric") { Description = "The promotion metric: ndcg_at_k (and the other ranking metrics) for top-N serving; rmse or mae (lower is better) compare rating models only.", DefaultValueFactory = _ => "ndcg_at_k" };
        var noRefit = new Option<bool>("--no-refit") { Description = "Register the models trained on the split's training part instead of refitting them on all the data." };
        var margin = new Option<double>("--min-improvement") { Description = "How much the best candidate must beat Production by.", DefaultValueFactory = _ => 0.0 };
        var parallelism = new Option<int>("--parallelism") { Description = "Candidates trained at once.", DefaultValueFactory = _ => 2 };
        var movies = new Option<FileInfo?>("--movies") { Description = "movies.csv: titles and genres stored in the model files." };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs of every candidate (default: each algorithm's)." };
        var rank = new Option<int?>("--rank") { Description = "Latent factors of every candidate (default: each algorithm's)." };
        var tune = new Option<string[]>("--param")
        {
            Description = "Search this parameter for every candidate before training it, repeatable (as 'recsys tune --param': Name=MIN:MAX[:log] or Name=V1,V2,…); each trial is a step of the run.",
        };
        var trials = new Option<int>("--trials") { Description = "Most trials per searched candidate.", DefaultValueFactory = _ => 20 };
        var memory = new Option<string?>("--memory")
        {
            Description = "A memory budget such as 4GiB: when --data would need more to train in memory, the run trains from disk (biased-mf only): the data is spooled with --disk-holdout of its (user, item) pairs held out by a hash of their ids, the candidates and Production are judged on them by RMSE and MAE (use --metric rmse), and the models trained on the rest are registered (no refit).",
        };
        var diskHoldout = new Option<double>("--disk-holdout") { Description = "With --memory: the share of pairs held out to judge the models on.", DefaultValueFactory = _ => new RetrainingOptions().DiskHoldoutFraction };
        var spoolFolder = new Option<DirectoryInfo?>("--spool") { Description = "With --memory: where the run keeps its files while it trains from disk (default: the system's temporary folder)." };
        var budget = new Option<double?>("--time-budget") { Description = "Seconds after which no further trial of a candidate's search starts." };
        Within(parallelism, 1, 256);
        Within(trials, 1, 10_000);
        model.Validators.Add(static r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>()))
            {
                r.AddError("--model must not be empty.");
            }
        });
        metric.Validators.Add(static r =>
        {
            var name = r.GetValueOrDefault<string>();
            if (!MetricCatalog.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                r.AddError($"--metric '{name}' is not a metric; use one of {string.Join(", ", MetricCatalog.Names)}.");
            }
        });
        var command = new Command("retrain", "Run the retraining flow once: load, split, train candidates in parallel, evaluate them and Production, register, promote.")
        {
            registry, model, data.Data, data.Format, data.Columns, data.Scale, data.Version, data.AsOf, data.BadRows, store, candidates, split, metric, margin, parallelism, movies, epochs, rank, tune, trials, budget, noRefit, memory, diskHoldout, spoolFolder,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var location = result.GetValue(registry)!;
            var options = new RetrainingOptions
            {
                ModelName = result.GetValue(model)!,
                Split = result.GetValue(split)!,
                MaxParallelism = result.GetValue(parallelism),
                MoviesPath = result.GetValue(movies)?.FullName,
                Refit = !result.GetValue(noRefit),
                MemoryBudget = result.GetValue(memory) is { } memoryText ? Cli.ParseBytes("--memory", memoryText) : null,
                DiskHoldoutFraction = result.GetValue(diskHoldout),
                SpoolDirectory = result.GetValue(spoolFolder)?.FullName,
            };
            options.Promotion.PrimaryMetric = result.GetValue(metric)!;
            options.Promotion.MinImprovement = result.GetValue(margin);
            foreach (var name in result.GetValue(candidates)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var candidate = new CandidateOptions { Algorithm = name, Settings = new AlgorithmSettings { Epochs = result.GetValue(epochs), Rank = result.GetValue(rank) } };
                if (result.GetValue(tune) is { Length: > 0 } searched)
                {
                    candidate.Search = new Tuning.SearchSpace
                    {
                        MaxTrials = result.GetValue(trials),
                        TimeBudget = result.GetValue(budget) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                        Seed = options.Seed,
                    };
                    foreach (var text in searched)
                    {
                        var (key, range) = TuneCommand.ParseParameter(text);
                        candidate.Search.Parameters[key] = range;
                    }
                }

                options.Candidates.Add(candidate);
            }

            // Each candidate's settings checked now, as `recsys train` would, rather than in the run's train step.
            foreach (var candidate in options.Candidates.Where(c => c.Search is null && RecommenderAlgorithms.Names.Contains(c.Algorithm, StringComparer.OrdinalIgnoreCase)))
            {
                try
                {
                    _ = RecommenderAlgorithms.Create(candidate.Algorithm, candidate.Settings, HoldoutValidator.Default);
                }
                catch (Exception e) when (e is ArgumentException or System.ComponentModel.DataAnnotations.ValidationException)
                {
                    throw new UsageException($"{candidate.Algorithm}: {e.Message}");
                }
            }

            if (new RetrainOptionsValidator().Validate(null, options) is { Failed: true, Failures: { } problems })
            {
                throw new UsageException(string.Join(" ", problems));
            }

            await using var backend = Open(location, create: true);
            var sourceOptions = result.GetValue(data.Data) is { } path ? data.SourceOptions(result, path) : null;
            IInteractionSource source = sourceOptions is not null
                ? InteractionSources.FromPath(result.GetValue(data.Data)!, sourceOptions)
                : InteractionSources.Synthetic(new SyntheticDataOptions());
            if (result.GetValue(store))
            {
                // Stored rows are checked as the file's are: the same --scale (default: the file's own scale) and --bad-rows.
                var scale = sourceOptions?.Scale ?? sourceOptions?.Delimited?.Scale;
                source = InteractionSources.Store(backend.Interactions, source, scale, sourceOptions?.BadRows ?? BadRowPolicy.Fail);
            }

            var service = new RetrainingService(backend.Registry, backend.Runs, source, Options.Create(options), new StderrLogger<RetrainingService>(), backend.Interactions);
            try
            {
                await service.RecoverAsync(cancellationToken);
                // The run's steps as the run store records them, polled while it runs.
                var run = await CliProgress.RunAsync(json: false, async progress =>
                {
                    var bar = progress.Start($"retrain {options.ModelName}", null);
                    var (runId, completion) = await service.StartAsync("manual", cancellationToken);
                    while (!completion.IsCompleted)
                    {
                        await Task.WhenAny(completion, Task.Delay(250, cancellationToken));
                        if (await backend.Runs.GetRunAsync(runId, cancellationToken) is { Steps.Count: > 0 } current)
                        {
                            var step = current.Steps[^1];
                            bar.Report(current.Steps.Count, $"step {current.Steps.Count}: {step.Name} {step.State.ToString().ToLowerInvariant()}{(step.Attempts > 1 ? $", attempt {step.Attempts}" : string.Empty)}");
                        }
                    }

                    var finished = await completion;
                    bar.Done($"{finished.State.ToString().ToLowerInvariant()} after {finished.Steps.Count} steps");
                    return finished;
                });
                Print(run);
                return run.State == RunState.Succeeded ? 0 : 1;
            }
            catch (RunInProgressException e)
            {
                Console.Error.WriteLine($"recsys retrain: {e.Message}");
                return 4;
            }
        });
        return command;
    }

    public static Command CreateRuns()
    {
        var registry = RegistryOption();
        var model = new Option<string?>("--model") { Description = "Only this model's runs." };
        var take = new Option<int>("--take") { Description = "How many runs.", DefaultValueFactory = _ => 20 };
        var id = new Argument<string>("run-id") { Description = "The run id." };
        var list = new Command("list", "The latest runs, newest first.") { model, take };
        list.SetAction(async (result, cancellationToken) =>
        {
            await using var backend = Open(result.GetValue(registry)!);
            foreach (var run in await backend.Runs.ListRunsAsync(result.GetValue(model), result.GetValue(take), cancellationToken))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Id}  {run.ModelName,-12} {run.State,-10} {run.Trigger,-12} {run.StartedAt:u}  {Duration(run),8}  {run.Decision ?? run.Error}"));
            }

            return 0;
        });
        var show = new Command("show", "One run with its steps.") { id };
        show.SetAction(async (result, cancellationToken) =>
        {
            await using var backend = Open(result.GetValue(registry)!);
            if (await backend.Runs.GetRunAsync(result.GetValue(id)!, cancellationToken) is not { } run)
            {
                Console.Error.WriteLine($"recsys runs: there is no run '{result.GetValue(id)}'.");
                return 3;
            }

            Print(run);
            return 0;
        });
        var command = new Command("runs", "The retraining run history.") { list, show };
        command.Options.Add(registry);
        return command;
    }

    private static void Within(Option<int> option, int min, int max) => option.Validators.Add(r =>
    {
        var value = r.GetValueOrDefault<int>();
        if (value < min || value > max)
        {
            r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be between {min} and {max:N0}; it was {value}."));
        }
    });

    private static Option<string> RegistryOption() => new("--registry")
    {
        Description = "The registry: a directory (SQLite) or a PostgreSQL connection string. Default: $RECSYS_REGISTRY, else ./registry.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RECSYS_REGISTRY") is { Length: > 0 } value ? value : "registry",
        Recursive = true,
    };

    /// <summary>One backend (one connection pool) for the command; disposed when it ends.</summary>
    internal static IRecsysBackend Open(string location, bool create = false)
    {
        RegistryCommand.RequireRegistry(location, create);
        return RegistryCommand.IsPostgreSql(location) ? PostgreSqlBackend.Open(location) : SqliteBackend.Open(location);
    }

    private static void Print(RetrainingRun run)
    {
        Console.WriteLine($"run {run.Id}: {run.State} (model {run.ModelName}, trigger {run.Trigger}, worker {run.Owner}, {Duration(run)})");
        foreach (var step in run.Steps)
        {
            var seconds = step.FinishedAt is { } end ? ((end - step.StartedAt).TotalSeconds).ToString("F2", CultureInfo.InvariantCulture) + " s" : "…";
            Console.WriteLine($"  {step.Name,-22} {step.State,-10} attempts {step.Attempts}  {seconds,9}  {step.Error ?? step.Detail}");
        }

        Console.WriteLine(run.Decision is null ? $"  error: {run.Error}" : $"  decision: {run.Decision}");
    }

    private static string Duration(RetrainingRun run) =>
        run.FinishedAt is { } end ? ((end - run.StartedAt).TotalSeconds).ToString("F1", CultureInfo.InvariantCulture) + " s" : "running";

    /// <summary>Log lines on standard error: steps, retries, epochs and losses while the run goes.</summary>
    private sealed class StderrLogger<T> : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                CliProgress.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel.ToString()[..4].ToLowerInvariant()} {formatter(state, exception)}");
            }
        }
    }
}

/// <summary>The source-generated validator of the options <c>recsys retrain</c> builds (no reflection: the CLI is published with Native AOT).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
internal sealed partial class RetrainOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<RetrainingOptions>;
