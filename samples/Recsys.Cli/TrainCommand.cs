using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Factorization;
using Recsys.Recommenders;

namespace Recsys.Cli;

internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var hyper = new HyperParameterOptions();
        var algorithm = new Option<string>("--algorithm") { Description = "The algorithm (see 'recsys algorithms').", DefaultValueFactory = _ => "biased-mf" };
        var output = new Option<FileInfo>("--out") { Description = "The model file to write.", Required = true };
        var movies = new Option<FileInfo?>("--movies") { Description = "A movies.csv whose titles and genres are stored in the model file." };
        var test = new Option<FileInfo?>("--test") { Description = "Held-out ratings (read as --data is: same --format, --columns, --scale): after training, print the model's RMSE and MAE on them. No ranking metrics: for data too large for 'recsys evaluate'." };
        var memory = new Option<string?>("--memory")
        {
            Description = $"A memory budget such as 4GiB: when --data would need more to train in memory (about {InteractionSource.InMemoryBytesPerRating} bytes a rating while it is read), biased-mf trains from disk instead: the ratings are spooled and sorted into blocks on disk (about 18 bytes a rating, deleted at the end) and streamed every epoch; memory then holds the ids, the factors and a block a thread.",
        };
        var spoolFolder = new Option<DirectoryInfo?>("--spool") { Description = "Where --memory puts its files while training from disk (default: the folder of --out)." };
        var command = new Command("train", "Train an algorithm on all of --data (or the synthetic data) and write a model file.") { algorithm, output, movies, test, memory, spoolFolder };
        foreach (var option in data.All.Concat(hyper.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((result, cancellationToken) =>
        {
            var outputFile = result.GetValue(output)!;
            Cli.RequireWritableDirectory("--out", outputFile);
            if (result.GetValue(test) is { Exists: false } missing)
            {
                throw new UsageException($"--test: '{missing.FullName}' does not exist.");
            }

            var trainer = RecommenderAlgorithms.Create(result.GetValue(algorithm)!, hyper.Settings(result), HoldoutValidator.Default);
            hyper.CheckApplies(result, result.GetValue(algorithm)!);
            var file = result.GetValue(data.Data);
            if (result.GetValue(memory) is { } budgetText)
            {
                var budget = Cli.ParseBytes("--memory", budgetText);
                if (file is null)
                {
                    throw new UsageException("--memory applies to --data: synthetic data is generated in memory.");
                }

                var rows = data.CountRows(result, file);
                var needed = rows * InteractionSource.InMemoryBytesPerRating;
                if (needed > budget)
                {
                    if (trainer is not BiasedMatrixFactorizationTrainer biased)
                    {
                        throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--memory {budgetText}: {rows:N0} ratings need about {Bytes(needed)} to train in memory, more than the budget, and only biased-mf trains from disk; use --algorithm biased-mf or a larger budget."));
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows:N0} ratings need about {Bytes(needed)} to train in memory, more than --memory {budgetText}: training from disk."));
                    return Task.FromResult(TrainFromDisk(result, data, biased, result.GetValue(hyper.Rank) ?? new MatrixFactorizationOptions().Rank, file, rows, (budget, budgetText), outputFile, result.GetValue(spoolFolder), result.GetValue(movies), result.GetValue(test), cancellationToken));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows:N0} ratings need about {Bytes(needed)} to train in memory, within --memory {budgetText}."));
            }

            // The dataset itself is not kept past the fit (the model keeps what it needs): at 100 M ratings its other
            // columns are gigabytes the model file's writing does not need. No trainer reads timestamps, so they are
            // not read (8 bytes a rating).
            var warmUp = FitWarmUp.Start(() => RecommenderAlgorithms.Create(result.GetValue(algorithm)!, hyper.Settings(result), HoldoutValidator.Default), result.GetValue(hyper.Rank), cancellationToken);
            var (counts, model, seconds) = CliProgress.Run(json: false, progress =>
            {
                var dataset = file is null ? new SyntheticDataGenerator(data.Synthetic(result)).GenerateDataset(cancellationToken) : data.Read(result, file, progress, timestamps: false);
                FitWarmUp.Finish(warmUp);
                // What the read let go of (its user column, 4 of the 9 bytes a rating it held, and its decoding
                // buffers) is returned before the fit allocates: left to the GC it stays beside the factors (30 M
                // ratings: a peak of 458 MiB instead of 385 MiB, measured with /usr/bin/time). A batch command, so one
                // blocking collection.
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                var epochs = new EpochProgress(progress, $"train {result.GetValue(algorithm)}");
                var start = Stopwatch.GetTimestamp();
                var model = trainer.Fit(dataset, epochs, cancellationToken);
                epochs.Done();
                return ((dataset.Count, Users: dataset.Users.Count, Items: dataset.Items.Count), model, Stopwatch.GetElapsedTime(start).TotalSeconds);
            });
            var metadata = result.GetValue(movies) is { } moviesFile ? MovieLens.ReadMovies(moviesFile.FullName) : null;
            var path = result.GetValue(output)!.FullName;
            ModelFile.Save(path, model, metadata);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"trained {model.Algorithm} on {counts.Count:N0} interactions ({counts.Users:N0} users, {counts.Items:N0} items) in {seconds:F3} s; wrote {path} ({new FileInfo(path).Length:N0} bytes)"));
            if (result.GetValue(test) is { } testFile)
            {
                // Read after the model is written (a bad test file loses no training) and the training data is gone (no higher peak).
                PrintHeldOut(result, data, model, testFile);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static int TrainFromDisk(ParseResult result, DataOptions data, BiasedMatrixFactorizationTrainer trainer, int rank, string file, long rows, (long Bytes, string Text) budget, FileInfo output, DirectoryInfo? spoolFolder, FileInfo? movies, FileInfo? test, CancellationToken cancellationToken)
    {
        var folder = (spoolFolder ?? output.Directory!).FullName;
        var metadata = movies is not null ? MovieLens.ReadMovies(movies.FullName) : null;
        var start = Stopwatch.GetTimestamp();
        var spool = CliProgress.Run(json: false, progress => data.Spool(result, file, folder, progress, rows));
        OutOfCoreFit fit;
        try
        {
            // Checked before the fit: what is held now (the ids, a count a user and an item) and the factors and biases
            // (rows padded to the SIMD width). Not in the check: a block of ratings a thread, the item index of a large
            // catalog and the collector's slack (at 1 B ratings about a quarter of the peak; docs/performance.md).
            var users = spool.Users.Count;
            var items = spool.Items.Count;
            var held = GC.GetTotalMemory(forceFullCollection: true);
            var factors = trainer.FactorBytes(users, items);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"holding {Bytes(held)} after spooling ({users:N0} users, {items:N0} items); the factors at rank {rank} take {Bytes(factors)}; the budget is {Bytes(budget.Bytes)}"));
            if (held + factors > budget.Bytes)
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--memory {budget.Text}: the ids and counts ({Bytes(held)}) and the factors at rank {rank} ({Bytes(factors)}) alone need more; give a larger budget or a lower --rank."));
            }

            fit = CliProgress.Run(json: false, progress =>
            {
                var epochs = new EpochProgress(progress, "train biased-mf from disk");
                var trained = trainer.FitToFile(spool, output.FullName, metadata, epochs, cancellationToken);
                epochs.Done();
                return trained;
            });
        }
        finally
        {
            spool.Dispose();
        }

        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"trained biased-mf from disk on {fit.Ratings:N0} interactions ({fit.Model.Users.Count:N0} users, {fit.Model.Items.Count:N0} items; {fit.Groups} x {fit.Groups} blocks, the largest {Bytes(fit.LargestBlockBytes)}; {fit.DuplicatesDropped:N0} duplicates dropped) in {seconds:F3} s with the spooling; wrote {output.FullName} ({new FileInfo(output.FullName).Length:N0} bytes)"));
        if (test is not null)
        {
            PrintHeldOut(result, data, fit.Model, test);
        }

        return 0;
    }

    private static void PrintHeldOut(ParseResult result, DataOptions data, IRecommender model, FileInfo testFile)
    {
        var held = CliProgress.Run(json: false, progress => data.Read(result, testFile.FullName, progress, timestamps: false));
        var errors = Evaluator.EvaluateRatings(model, held);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"held out {testFile.Name}: RMSE {errors.Rmse:F4}, MAE {errors.Mae:F4} on {errors.RatingCount:N0} ratings ({errors.UnknownUserRatings:N0} with a user and {errors.UnknownItemRatings:N0} with an item the model does not know, predicted by its fallback)"));
    }

    private static string Bytes(long bytes) => bytes >= 1L << 30 ? (bytes / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB"
        : bytes >= 1L << 20 ? (bytes / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KiB";

    /// <summary>Epochs (or steps) and the loss, on a bar created at the first report, when the total is known.</summary>
    internal sealed class EpochProgress(CliProgress progress, string name) : IProgress<TrainingProgress>
    {
        private CliProgress.Bar? _bar;
        private string? _last;

        public void Report(TrainingProgress value)
        {
            _bar ??= progress.Start(name, value.Epochs);
            _last = double.IsNaN(value.Loss)
                ? string.Create(CultureInfo.InvariantCulture, $"step {value.Epoch}/{value.Epochs}")
                : string.Create(CultureInfo.InvariantCulture, $"epoch {value.Epoch}/{value.Epochs}, loss {(Math.Abs(value.Loss) >= 1e5 ? value.Loss.ToString("N0", CultureInfo.InvariantCulture) : value.Loss.ToString("G6", CultureInfo.InvariantCulture))}");
            _bar.Report(value.Epoch, _last);
        }

        public void Done() => _bar?.Done(_last);
    }
}
