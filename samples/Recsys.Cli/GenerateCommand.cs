using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Text;
using Recsys.Data;

namespace Recsys.Cli;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the ratings (standard output when omitted): ratings.csv format, or Parquet (Snappy) when the name ends in .parquet." };
        var command = new Command("generate", "Write the synthetic dataset: MovieLens ratings.csv format (userId,movieId,rating,timestamp), or Parquet when --out ends in .parquet.") { output, data.Users, data.Items, data.Ratings, data.Seed };
        command.SetAction(result =>
        {
            var file = result.GetValue(output);
            if (file is not null)
            {
                Cli.RequireWritableDirectory("--out", file);
            }

            var options = data.Synthetic(result);
            var generator = new SyntheticDataGenerator(options);
            return CliProgress.Run(json: false, progress =>
            {
                var bar = progress.Start($"generate {(file is null ? "to standard output" : file.Name)}", options.Interactions);
                var rows = new InlineProgress<long>(count => bar.Report(count, CliProgress.Rows(count, options.Interactions)));
                if (file is not null && file.Extension.Equals(".parquet", StringComparison.OrdinalIgnoreCase))
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
