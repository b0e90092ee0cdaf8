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
        var command = new Command("generate", "Write the synthetic dataset as a MovieLens ratings.csv file.") { output, data.Users, data.Items, data.Ratings, data.Seed };
        command.SetAction(result =>
        {
            var file = result.GetValue(output);
            if (file is not null)
            {
                Cli.RequireWritableDirectory("--out", file);
            }

            var generator = new SyntheticDataGenerator(data.Synthetic(result));
            if (file is not null && file.Extension.Equals(".parquet", StringComparison.OrdinalIgnoreCase))
            {
                generator.WriteParquet(file.FullName);
                return 0;
            }

            using var writer = file is null
                ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16)
                : new StreamWriter(file.FullName, false, new UTF8Encoding(false), 1 << 16);
            generator.WriteCsv(writer);
            return 0;
        });
        return command;
    }
}
