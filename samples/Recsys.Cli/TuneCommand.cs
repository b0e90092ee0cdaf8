using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Tuning;

namespace Recsys.Cli;

/// <summary>
/// <c>recsys tune</c>: the retraining flow's hyper-parameter search from the command line. The trials are scored on a
/// validation slice of the training part; with a test part, the best and the default settings are then scored on it.
/// </summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var train = new Option<FileInfo?>("--train") { Description = "Training ratings file (use with --test)." };
        var test = new Option<FileInfo?>("--test") { Description = "Held-out ratings file (use with --train)." };
        var split = new Option<string>("--split") { Description = "How to split --data or the synthetic data (one split: random:F, user:F, temporal:F, last:N).", DefaultValueFactory = _ => "random:0.2" };
        var algorithm = new Option<string>("--algorithm") { Description = "The algorithm (see 'recsys algorithms').", DefaultValueFactory = _ => "biased-mf" };
        var parameters = new Option<string[]>("--param")
        {
            Description = "A parameter to search, repeatable: Name=MIN:MAX (a range; add :log for a log scale) or Name=V1,V2,… (values). Names: Rank, Epochs, Regularization, LearningRate, Alpha, Neighbors, Shrinkage.",
            AllowMultipleArgumentsPerToken = false,
        };
        var strategy = new Option<string>("--strategy") { Description = "random or grid.", DefaultValueFactory = _ => "random" };
        var trials = new Option<int>("--trials") { Description = "Most trials to run.", DefaultValueFactory = _ => 20 };
        var budget = new Option<double?>("--time-budget") { Description = "Seconds after which no trial starts." };
        var validation = new Option<double>("--validation") { Description = "Share of the training part held out to score the trials.", DefaultValueFactory = _ => 0.1 };
        var metric = new Option<string?>("--metric") { Description = "Metric to rank trials by (default: rmse for rating models, ndcg_at_k for ranking models)." };
        var parallel = new Option<int>("--parallel") { Description = "Trials run at once.", DefaultValueFactory = _ => 2 };
        var k = new Option<int>("--k") { Description = "Cut-off of the ranking metrics.", DefaultValueFactory = _ => 10 };
        var threshold = new Option<double>("--threshold") { Description = "Lowest held-out rating that counts as relevant.", DefaultValueFactory = _ => 4.0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var hyper = new HyperParameterOptions();
        var command = new Command("tune", "Search an algorithm's hyper-parameters on a validation slice of the training data and print the trial table.")
        {
            train, test, split, algorithm, parameters, strategy, trials, budget, validation, metric, parallel, k, threshold, json,
        };
        foreach (var option in data.All.Concat(hyper.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var name = result.GetValue(algorithm)!;
            hyper.CheckApplies(result, name);
            var space = new SearchSpace
            {
                Strategy = result.GetValue(strategy)?.ToLowerInvariant() switch
                {
                    "random" => SearchStrategy.Random,
                    "grid" => SearchStrategy.Grid,
                    var other => throw new UsageException($"--strategy '{other}' is neither random nor grid."),
                },
                MaxTrials = result.GetValue(trials),
                TimeBudget = result.GetValue(budget) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                ValidationFraction = result.GetValue(validation),
                Metric = result.GetValue(metric),
                Seed = result.GetValue(hyper.ModelSeed) ?? 42,
            };
            foreach (var text in result.GetValue(parameters) ?? [])
            {
                var (key, range) = ParseParameter(text);
                space.Parameters[key] = range;
            }

            HyperParameterSearch search;
            try
            {
                search = new HyperParameterSearch(name, hyper.Settings(result), space);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.ParamName is { } parameter ? e.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal) : e.Message);
            }

            var evaluation = new EvaluationOptions { K = result.GetValue(k), RelevanceThreshold = result.GetValue(threshold) };
            evaluation.Validate();
            var (source, splits) = CliProgress.Run(result.GetValue(json), progress => EvaluateCommand.LoadSplits(result, data, train, test, split, progress));
            if (splits.Count != 1)
            {
                throw new UsageException("tune needs a single split, not k folds.");
            }

            var fold = splits[0];
            var searched = await CliProgress.RunAsync(result.GetValue(json), async progress =>
            {
                var bar = progress.Start($"tune {name}", search.Plan.Count);
                var done = 0;
                return await search.RunAsync(fold.Train, new HoldoutValidator(evaluation), result.GetValue(parallel), (trial, _) =>
                {
                    bar.Report(Interlocked.Increment(ref done), string.Create(CultureInfo.InvariantCulture, $"trial {trial.Number}: {trial.Metric:F4}"));
                    return ValueTask.CompletedTask;
                }, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);

            // The test part judges the chosen settings against the defaults (never used to choose).
            EvaluationResult? tuned = null, untuned = null;
            if (fold.Test.Count > 0)
            {
                tuned = Evaluator.FitAndEvaluate(RecommenderAlgorithms.Create(name, search.SettingsFor(searched.Best.Parameters), HoldoutValidator.Default), fold, evaluation, cancellationToken);
                untuned = Evaluator.FitAndEvaluate(RecommenderAlgorithms.Create(name, hyper.Settings(result), HoldoutValidator.Default), fold, evaluation, cancellationToken);
            }

            if (result.GetValue(json))
            {
                WriteJson(source, fold, searched, tuned, untuned);
            }
            else
            {
                WriteTable(source, fold, name, searched, tuned, untuned);
            }

            return 0;
        });
        return command;
    }

    internal static (string Name, ParameterRange Range) ParseParameter(string text)
    {
        var inv = CultureInfo.InvariantCulture;
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new UsageException($"--param '{text}' is not Name=MIN:MAX[:log] or Name=V1,V2,….");
        }

        var name = text[..equals].Trim();
        var spec = text[(equals + 1)..].Trim();
        double Number(string s) => double.TryParse(s, NumberStyles.Float, inv, out var v) && double.IsFinite(v)
            ? v
            : throw new UsageException($"--param {name}: '{s}' is not a number.");
        var parts = spec.Split(':', StringSplitOptions.TrimEntries);
        if (parts.Length is 2 or 3)
        {
            if (parts.Length == 3 && !string.Equals(parts[2], "log", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--param {name}: the third part of a range can only be 'log', not '{parts[2]}'.");
            }

            return (name, ParameterRange.Between(Number(parts[0]), Number(parts[1]), parts.Length == 3));
        }

        return (name, ParameterRange.Of([.. spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Number)]));
    }

    private static void WriteTable(string source, DataSplit fold, string algorithm, SearchResult searched, EvaluationResult? tuned, EvaluationResult? untuned)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"data        {source}");
        Console.WriteLine(string.Create(inv, $"split       {fold.Description}: train {fold.Train.Count:N0} (trials: a validation slice of it), test {fold.Test.Count:N0}"));
        Console.WriteLine(string.Create(inv, $"search      {algorithm}: {searched.Trials.Count} of {searched.Planned} planned trials, ranked by {searched.Metric} ({(searched.HigherIsBetter ? "higher" : "lower")} is better)"));
        Console.WriteLine();
        Console.WriteLine($"{"trial",5}  {searched.Metric,-10}  {"seconds",7}  parameters");
        foreach (var t in searched.Trials.OrderBy(static t => t.Number))
        {
            var mark = t == searched.Best ? " *" : "";
            var value = t.Error is null ? t.Metric.ToString("F4", inv) : "failed";
            Console.WriteLine(string.Create(inv, $"{t.Number,5}  {value,-10}  {t.Duration.TotalSeconds,7:F2}  {t.DescribeParameters()}{mark}{(t.Error is null ? "" : $"  ({t.Error})")}"));
        }

        Console.WriteLine();
        Console.WriteLine($"best        trial {searched.Best.Number}: {searched.Best.DescribeParameters()}");
        if (tuned is not null && untuned is not null)
        {
            var value = (EvaluationResult r) => MetricCatalog.ValueOf(searched.Metric, r)!.Value.ToString("F4", inv);
            Console.WriteLine($"test part   {searched.Metric}: tuned {value(tuned)}, default settings {value(untuned)}");
        }
    }

    private static void WriteJson(string source, DataSplit fold, SearchResult searched, EvaluationResult? tuned, EvaluationResult? untuned)
    {
        using var stream = Console.OpenStandardOutput();
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("data", source);
        writer.WriteString("split", fold.Description);
        writer.WriteString("metric", searched.Metric);
        writer.WriteBoolean("higher_is_better", searched.HigherIsBetter);
        writer.WriteNumber("planned", searched.Planned);
        writer.WriteStartArray("trials");
        foreach (var t in searched.Trials.OrderBy(static t => t.Number))
        {
            writer.WriteStartObject();
            writer.WriteNumber("trial", t.Number);
            writer.WriteStartObject("parameters");
            foreach (var (key, v) in t.Parameters.OrderBy(static p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(key, v);
            }

            writer.WriteEndObject();
            if (double.IsFinite(t.Metric))
            {
                writer.WriteNumber("metric", t.Metric);
            }
            else
            {
                writer.WriteNull("metric");
            }

            writer.WriteNumber("seconds", Math.Round(t.Duration.TotalSeconds, 3));
            writer.WriteString("error", t.Error);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("best_trial", searched.Best.Number);
        if (tuned is not null && untuned is not null)
        {
            writer.WriteNumber("test_tuned", MetricCatalog.ValueOf(searched.Metric, tuned)!.Value);
            writer.WriteNumber("test_default", MetricCatalog.ValueOf(searched.Metric, untuned)!.Value);
        }

        writer.WriteEndObject();
    }
}
