using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Recsys.Data;

namespace Recsys.Cli;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the ratings (standard output when omitted): ratings.csv format, or Parquet (Snappy) when the name ends in .parquet." };
        var testOutput = new Option<FileInfo?>("--test-out") { Description = "Also write a held-out test file (CSV, or Parquet when the name ends in .parquet): each rating goes there instead of --out with probability --test-fraction, drawn from --seed, so the same options give the same two files in either format." };
        var testFraction = new Option<double>("--test-fraction") { Description = "With --test-out: the share of the ratings held out, at least 0 and less than 1.", DefaultValueFactory = _ => 0.1 };
        var command = new Command("generate", "Write the synthetic dataset: MovieLens ratings.csv format (userId,movieId,rating,timestamp), or Parquet when --out ends in .parquet.") { output, testOutput, testFraction, data.Users, data.Items, data.Ratings, data.Seed };
        command.SetAction(result =>
        {
            var file = result.GetValue(output);
            if (file is not null)
            {
                Cli.RequireWritableDirectory("--out", file);
            }

            var testFile = result.GetValue(testOutput);
            var fraction = result.GetValue(testFraction);
            if (testFile is not null)
            {
                if (file is null)
                {
                    throw new UsageException("--test-out needs --out: the training ratings are written to a file beside it.");
                }

                Cli.RequireWritableDirectory("--test-out", testFile);
                if (!(fraction >= 0 && fraction < 1))
                {
                    throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--test-fraction must be at least 0 and less than 1, not {fraction}."));
                }

                if (string.Equals(testFile.FullName, file.FullName, StringComparison.Ordinal))
                {
                    throw new UsageException("--test-out must name another file than --out.");
                }
            }
            else if (result.GetResult(testFraction) is { Implicit: false })
            {
                throw new UsageException("--test-fraction applies with --test-out.");
            }

            var options = data.Synthetic(result);
            var generator = new SyntheticDataGenerator(options);
            return CliProgress.Run(json: false, progress =>
            {
                var bar = progress.Start($"generate {(file is null ? "to standard output" : file.Name)}", options.Interactions);
                var rows = new InlineProgress<long>(count => bar.Report(count, CliProgress.Rows(count, options.Interactions)));
                if (testFile is not null)
                {
                    generator.WriteSplit(file!.FullName, testFile.FullName, fraction, rows);
                }
                else if (file is not null && file.Extension.Equals(".parquet", StringComparison.OrdinalIgnoreCase))
                {
                    generator.WriteParquet(file.FullName, rows);
                }
                else
                {
                    using var writer = file is null
                        ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16)
                        : new StreamWriter(file.FullName, false, new UTF8Encoding(false), 1 << 16);
                    generator.WriteCsv(writer, rows);
                }

                bar.Done();
                return 0;
            });
        });
        return command;
    }
}
