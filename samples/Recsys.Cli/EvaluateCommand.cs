using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Recommenders;

namespace Recsys.Cli;

internal static class EvaluateCommand
{
    /// <summary>
    /// The metrics by their JSON names (the catalog's quality metrics, then the timings): written for each result and,
    /// over several, as their standard deviation.
    /// </summary>
    private static readonly (string Name, Func<EvaluationResult, double> Metric)[] Metrics =
    [
        .. MetricCatalog.Names.Where(static n => n != "test_size").Select(static n => (n, (Func<EvaluationResult, double>)(r => MetricCatalog.ValueOf(n, r)!.Value))),
        ("fit_seconds", static r => r.FitSeconds),
        ("predict_seconds", static r => r.PredictSeconds),
        ("recommend_seconds", static r => r.RecommendSeconds),
    ];

    public static Command Create()
    {
        var data = new DataOptions();
        var train = new Option<FileInfo?>("--train") { Description = "Training ratings file (use with --test)." };
        var test = new Option<FileInfo?>("--test") { Description = "Held-out ratings file (use with --train)." };
        var split = new Option<string>("--split")
        {
            Description = "How to split --data or the synthetic data: random:F, user:F, user:N, temporal:F, last:N, kfold:N.",
            DefaultValueFactory = _ => "random:0.2",
        };
        var algorithm = new Option<string>("--algorithm") { Description = "The algorithm (see 'recsys algorithms').", DefaultValueFactory = _ => "baseline" };
        var k = new Option<int>("--k") { Description = "Cut-off of the ranking metrics.", DefaultValueFactory = _ => 10 };
        var threshold = new Option<double>("--threshold") { Description = "Lowest held-out rating that counts as relevant.", DefaultValueFactory = _ => 4.0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var repeat = new Option<int>("--repeat")
        {
            Description = "Train and evaluate N times with the model seeds S, S+1, … (S = --model-seed, default 1) and report each metric's mean and standard deviation over the seeds.",
            DefaultValueFactory = _ => 1,
        };
        var protocol = new Option<string>("--protocol")
        {
            Description = "holdout (the default: train on the split's training part, measure on its test part) or fold-in: hold --hold-out users out of training, "
                + "post the older half of each one's interactions and score the top-K against the newer half, for the popularity fallback, the model folding the half in, and a model retrained with it.",
            DefaultValueFactory = _ => "holdout",
        };
        var users = new Option<int>("--hold-out") { Description = "With --protocol fold-in: how many users are held out of training (drawn with --seed among users with 10 or more interactions).", DefaultValueFactory = _ => 100 };
        var hyper = new HyperParameterOptions();

        var command = new Command("evaluate", "Train an algorithm and measure RMSE, MAE and ranking metrics on held-out data (synthetic data unless --train/--test or --data is given).")
        {
            train, test, split, algorithm, k, threshold, json, repeat, protocol, users,
        };
        foreach (var option in data.All.Concat(hyper.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((result, cancellationToken) =>
        {
            var repeats = result.GetValue(repeat);
            if (repeats < 1)
            {
                throw new UsageException($"--repeat must be at least 1, not {repeats}.");
            }

            IRecommenderTrainer Trainer(ulong? seed)
            {
                var settings = hyper.Settings(result);
                settings.Seed = seed ?? settings.Seed;
                return RecommenderAlgorithms.Create(result.GetValue(algorithm)!, settings, HoldoutValidator.Default);
            }

            var trainer = Trainer(null); // an unknown algorithm or a bad setting fails before the data is read
            hyper.CheckApplies(result, result.GetValue(algorithm)!);
            switch (result.GetValue(protocol))
            {
                case "holdout":
                    break;
                case "fold-in":
                    return Task.FromResult(FoldIn(result, data, trainer, result.GetValue(users), result.GetValue(k), result.GetValue(threshold), result.GetValue(json), train, cancellationToken));
                case var other:
                    throw new UsageException($"--protocol must be holdout or fold-in, not '{other}'.");
            }

            var firstSeed = result.GetValue(hyper.ModelSeed) ?? 1;
            var seeds = repeats == 1 ? null : Enumerable.Range(0, repeats).Select(r => firstSeed + (ulong)r).ToArray();
            var options = new EvaluationOptions { K = result.GetValue(k), RelevanceThreshold = result.GetValue(threshold) };
            options.Validate();
            var warmUp = FitWarmUp.Start(() => Trainer(null), result.GetValue(hyper.Rank), cancellationToken);
            var (source, splits, evaluation) = CliProgress.Run(result.GetValue(json), progress =>
            {
                var (source, splits) = LoadSplits(result, data, train, test, split, progress);
                FitWarmUp.Finish(warmUp);
                if (splits.FirstOrDefault(s => s.Test.Count == 0 || s.Train.Count == 0) is { } empty)
                {
                    throw new InvalidDataException($"{empty.Description}: the {(empty.Test.Count == 0 ? "test" : "training")} set is empty, so there is nothing to measure; use a larger file or another --split.");
                }

                // Several seeds: one result per seed (the mean of its folds), so the spread is the seeds'. A bar counts
                // the fits (seeds x folds).
                var runs = (seeds?.Length ?? 1) * splits.Count;
                var bar = progress.Start($"evaluate {result.GetValue(algorithm)}", runs);
                var done = 0;
                CrossValidationResult Measure(IRecommenderTrainer t)
                {
                    var folds = new List<EvaluationResult>();
                    foreach (var given in splits)
                    {
                        // A dataset builds its by-item view at a fit's first use and keeps it: each later fit gets a copy
                        // of the training set as read, so that every fit's time includes what it derives from the data,
                        // as a fit on new data would; and the earlier fits' garbage is collected first, so that no fit
                        // pays for its predecessor's (both outside the timed fit).
                        var fold = given;
                        if (done >= splits.Count)
                        {
                            fold = given with { Train = given.Train.Subset([.. Enumerable.Range(0, given.Train.Count)]) };
                            GC.Collect();
                        }

                        folds.Add(Evaluator.CrossValidate(t, [fold], options, cancellationToken).Folds[0]);
                        done++;
                        bar.Report(done, string.Create(CultureInfo.InvariantCulture, $"fit {done}/{runs}"));
                    }

                    return new CrossValidationResult(folds);
                }

                var evaluation = seeds is null ? Measure(trainer) : new CrossValidationResult([.. seeds.Select(seed => Measure(Trainer(seed)).Mean)]);
                bar.Done();
                return (source, splits, evaluation);
            });
            if (result.GetValue(json))
            {
                WriteJson(source, splits, seeds, evaluation);
            }
            else
            {
                WriteTable(source, splits, seeds, evaluation);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary><c>--protocol fold-in</c>: <see cref="FoldInEvaluation"/> on --data (or the synthetic data), as a table or JSON.</summary>
    private static int FoldIn(ParseResult result, DataOptions data, IRecommenderTrainer trainer, int users, int k, double threshold, bool json, Option<FileInfo?> train, CancellationToken cancellationToken)
    {
        if (result.GetValue(train) is not null)
        {
            throw new UsageException("--protocol fold-in holds users out of --data (or the synthetic data) itself; --train/--test do not apply.");
        }

        var options = new FoldInOptions { Users = users, K = k, RelevanceThreshold = threshold, Seed = result.GetValue(data.Seed) };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException(e.ParamName == nameof(FoldInOptions.Users) ? $"--hold-out must be at least 1, not {users}." : e.Message);
        }

        var (source, outcome) = CliProgress.Run(json, progress =>
        {
            string source;
            InteractionDataset dataset;
            if (result.GetValue(data.Data) is { } path)
            {
                source = Path.GetFullPath(path);
                dataset = data.Read(result, path, progress);
            }
            else
            {
                var synthetic = data.Synthetic(result);
                source = string.Create(CultureInfo.InvariantCulture, $"synthetic (users {synthetic.Users}, items {synthetic.Items}, ratings {synthetic.Interactions}, seed {synthetic.Seed})");
                dataset = new SyntheticDataGenerator(synthetic).GenerateDataset();
            }

            var bar = progress.Start($"fold-in protocol {trainer.Algorithm}", null);
            try
            {
                return (source, FoldInEvaluation.Evaluate(trainer, dataset, options, cancellationToken));
            }
            catch (ArgumentException e) when (e.ParamName == "data")
            {
                throw new UsageException($"{e.Message.Split(" (Parameter", 2)[0]} Use a smaller --hold-out.");
            }
            finally
            {
                bar.Done();
            }
        });

        var inv = CultureInfo.InvariantCulture;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["protocol"] = "fold-in",
                ["data"] = source,
                ["algorithm"] = outcome.Algorithm,
                ["held_out_users"] = outcome.HeldOutUsers,
                ["evaluated_users"] = outcome.EvaluatedUsers,
                ["folded_in_users"] = outcome.FoldedInUsers,
                ["k"] = outcome.K,
                ["ndcg_popularity"] = outcome.PopularityNdcg,
                ["ndcg_fold_in"] = outcome.FoldInNdcg,
                ["ndcg_retrained"] = outcome.RetrainedNdcg,
                ["fold_in_microseconds"] = outcome.FoldInMicroseconds,
            }));
            return 0;
        }

        Console.WriteLine($"data        {source}");
        Console.WriteLine(string.Create(inv, $"protocol    fold-in: {outcome.HeldOutUsers} users held out of training (seed {options.Seed}); the older half of each one's interactions posted, the newer half tested"));
        Console.WriteLine($"algorithm   {outcome.Algorithm}");
        Console.WriteLine(string.Create(inv, $"users       {outcome.EvaluatedUsers} with a test rating >= {threshold} (the averages); {outcome.FoldedInUsers} folded in"));
        Console.WriteLine(string.Create(inv, $"NDCG@{k,-6} popularity {outcome.PopularityNdcg:F4}   fold-in {outcome.FoldInNdcg:F4}   retrained {outcome.RetrainedNdcg:F4}"));
        Console.WriteLine(string.Create(inv, $"fold-in     {outcome.FoldInNdcg / outcome.RetrainedNdcg:P1} of retrained, {outcome.FoldInNdcg / outcome.PopularityNdcg:F2}x popularity; {outcome.FoldInMicroseconds:F0} µs a request (mean, one thread)"));
        return 0;
    }

    internal static (string Source, IReadOnlyList<DataSplit> Splits) LoadSplits(
        ParseResult result, DataOptions data, Option<FileInfo?> train, Option<FileInfo?> test, Option<string> split, CliProgress progress)
    {
        var trainFile = result.GetValue(train);
        var testFile = result.GetValue(test);
        var dataFile = result.GetValue(data.Data);
        if ((trainFile is null) != (testFile is null))
        {
            throw new UsageException("--train and --test go together.");
        }

        if (trainFile is not null && dataFile is not null)
        {
            throw new UsageException("Give either --train/--test or --data, not both.");
        }

        if (trainFile is not null)
        {
            var splitData = new DataSplit(data.Read(result, trainFile, progress), data.Read(result, testFile!, progress), $"{trainFile.Name} / {testFile!.Name}");
            return ($"{trainFile.FullName} + {testFile.FullName}", [splitData]);
        }

        var specification = SplitSpecification.Parse(result.GetValue(split)!);
        var seed = result.GetValue(data.Seed);
        if (dataFile is not null)
        {
            return (Path.GetFullPath(dataFile), specification.Apply(data.Read(result, dataFile, progress), seed));
        }

        var synthetic = data.Synthetic(result);
        var dataset = new SyntheticDataGenerator(synthetic).GenerateDataset();
        var description = string.Create(CultureInfo.InvariantCulture, $"synthetic (users {synthetic.Users}, items {synthetic.Items}, ratings {synthetic.Interactions}, seed {synthetic.Seed})");
        return (description, specification.Apply(dataset, seed));
    }

    private static void WriteTable(string source, IReadOnlyList<DataSplit> splits, ulong[]? seeds, CrossValidationResult evaluation)
    {
        var r = Summary(seeds, evaluation);
        var inv = CultureInfo.InvariantCulture;

        // With several folds or seeds each metric is the mean, then ± the standard deviation and the range.
        string M(Func<EvaluationResult, double> metric) => evaluation.Folds.Count == 1
            ? metric(r).ToString("F4", inv)
            : string.Create(inv, $"{metric(r):F4} ± {evaluation.StandardDeviation(metric):F4} ({evaluation.Folds.Min(metric):F4} to {evaluation.Folds.Max(metric):F4})");

        Console.WriteLine($"data        {source}");
        Console.WriteLine(splits.Count == 1
            ? string.Create(inv, $"split       {splits[0].Description}: train {splits[0].Train.Count:N0}, test {splits[0].Test.Count:N0}")
            : string.Create(inv, $"split       {splits.Count} folds (mean of the folds)"));
        if (seeds is not null)
        {
            Console.WriteLine(string.Create(inv, $"seeds       {seeds.Length} model seeds, {seeds[0]} to {seeds[^1]}: mean ± standard deviation (lowest to highest) over the seeds"));
        }
        else if (splits.Count > 1)
        {
            Console.WriteLine("spread      mean ± standard deviation (lowest to highest) over the folds");
        }

        Console.WriteLine($"algorithm   {r.Algorithm}");
        Console.WriteLine(string.Create(inv, $"RMSE        {M(static x => x.Rmse)}   ({r.RatingCount:N0} predictions; {r.UnknownUserRatings} with unknown user, {r.UnknownItemRatings} with unknown item: fallback prediction)"));
        Console.WriteLine(string.Create(inv, $"MAE         {M(static x => x.Mae)}"));
        Console.WriteLine(string.Create(inv, $"P@{r.K,-9} {M(static x => x.PrecisionAtK)}   ({r.RankedUsers:N0} users with a held-out rating >= {r.RelevanceThreshold}, all items ranked)"));
        Console.WriteLine(string.Create(inv, $"R@{r.K,-9} {M(static x => x.RecallAtK)}"));
        Console.WriteLine(string.Create(inv, $"NDCG@{r.K,-6} {M(static x => x.NdcgAtK)}"));
        Console.WriteLine(string.Create(inv, $"MAP@{r.K,-7} {M(static x => x.MapAtK)}"));
        Console.WriteLine(string.Create(inv, $"HR@{r.K,-8} {M(static x => x.HitRateAtK)}"));
        Console.WriteLine(string.Create(inv, $"coverage    {M(static x => x.Coverage)}"));
        // Each fit's time, in order: the first in a fresh process also compiles the code (the cold start of a fit).
        Console.WriteLine(evaluation.Folds.Count == 1
            ? string.Create(inv, $"fit         {r.FitSeconds:F3} s")
            : string.Create(inv, $"fit         {r.FitSeconds:F3} s (mean); each in order: {string.Join(", ", evaluation.Folds.Select(f => f.FitSeconds.ToString("F3", inv)))} s"));
        Console.WriteLine(string.Create(inv, $"predict     {r.PredictSeconds:F3} s (ratings), {r.RecommendSeconds:F3} s (top-{r.K} lists)"));
    }

    private static void WriteJson(string source, IReadOnlyList<DataSplit> splits, ulong[]? seeds, CrossValidationResult evaluation)
    {
        using var stream = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("data", source);
            writer.WriteString("split", splits.Count == 1 ? splits[0].Description : $"kfold:{splits.Count}");
            WriteMetrics(writer, Summary(seeds, evaluation));
            if (evaluation.Folds.Count > 1)
            {
                writer.WriteStartObject("sd");
                foreach (var (name, metric) in Metrics)
                {
                    Number(writer, name, evaluation.StandardDeviation(metric));
                }

                writer.WriteEndObject();
                writer.WriteStartArray(seeds is null ? "folds" : "runs");
                for (var f = 0; f < evaluation.Folds.Count; f++)
                {
                    writer.WriteStartObject();
                    if (seeds is not null)
                    {
                        writer.WriteNumber("seed", seeds[f]);
                    }

                    WriteMetrics(writer, evaluation.Folds[f]);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (splits.Count == 1)
            {
                writer.WriteNumber("train_interactions", splits[0].Train.Count);
                writer.WriteNumber("test_interactions", splits[0].Test.Count);
            }

            writer.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }

    /// <summary>
    /// The mean of the results; over seeds every run saw the same data, so the counts are one run's, not their sum
    /// (which is right for folds).
    /// </summary>
    private static EvaluationResult Summary(ulong[]? seeds, CrossValidationResult evaluation) => seeds is null
        ? evaluation.Mean
        : evaluation.Mean with
        {
            RatingCount = evaluation.Folds[0].RatingCount,
            UnknownUserRatings = evaluation.Folds[0].UnknownUserRatings,
            UnknownItemRatings = evaluation.Folds[0].UnknownItemRatings,
            RankedUsers = evaluation.Folds[0].RankedUsers,
        };

    private static void WriteMetrics(Utf8JsonWriter writer, EvaluationResult r)
    {
        writer.WriteString("algorithm", r.Algorithm);
        foreach (var (name, metric) in Metrics)
        {
            Number(writer, name, metric(r));
        }

        writer.WriteNumber("k", r.K);
        writer.WriteNumber("relevance_threshold", r.RelevanceThreshold);
        writer.WriteNumber("ranked_users", r.RankedUsers);
        writer.WriteNumber("rating_count", r.RatingCount);
        writer.WriteNumber("unknown_user_ratings", r.UnknownUserRatings);
        writer.WriteNumber("unknown_item_ratings", r.UnknownItemRatings);
    }

    private static void Number(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
