using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using Recsys.Data;
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
        var command = new Command("train", "Train an algorithm on all of --data (or the synthetic data) and write a model file.") { algorithm, output, movies };
        foreach (var option in data.All.Concat(hyper.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((result, cancellationToken) =>
        {
            var outputFile = result.GetValue(output)!;
            Cli.RequireWritableDirectory("--out", outputFile);
            var trainer = RecommenderAlgorithms.Create(result.GetValue(algorithm)!, hyper.Settings(result));
            hyper.CheckApplies(result, result.GetValue(algorithm)!);
            var file = result.GetValue(data.Data);
            var dataset = file is null ? new SyntheticDataGenerator(data.Synthetic(result)).GenerateDataset(cancellationToken) : data.Read(result, file);
            var metadata = result.GetValue(movies) is { } moviesFile ? MovieLens.ReadMovies(moviesFile.FullName) : null;
            var progress = new ConsoleProgress();
            var start = Stopwatch.GetTimestamp();
            var model = trainer.Fit(dataset, progress, cancellationToken);
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var path = result.GetValue(output)!.FullName;
            ModelFile.Save(path, model, metadata);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"trained {model.Algorithm} on {dataset.Count:N0} interactions ({dataset.Users.Count:N0} users, {dataset.Items.Count:N0} items) in {seconds:F3} s; wrote {path} ({new FileInfo(path).Length:N0} bytes)"));
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Shows epoch and loss on standard error, rewriting one line when it is a terminal.</summary>
    private sealed class ConsoleProgress : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            var line = double.IsNaN(value.Loss)
                ? string.Create(CultureInfo.InvariantCulture, $"{value.Algorithm}: step {value.Epoch}/{value.Epochs}")
                : string.Create(CultureInfo.InvariantCulture, $"{value.Algorithm}: epoch {value.Epoch}/{value.Epochs}, loss {value.Loss:G6}");
            if (Console.IsErrorRedirected)
            {
                Console.Error.WriteLine(line);
            }
            else
            {
                Console.Error.Write($"\r{line}   ");
                if (value.Epoch == value.Epochs)
                {
                    Console.Error.WriteLine();
                }
            }
        }
    }
}
