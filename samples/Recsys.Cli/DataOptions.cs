using System.CommandLine;
using System.Globalization;
using Recsys.Data;

namespace Recsys.Cli;

/// <summary>The options that say where interactions come from, shared by the commands.</summary>
internal sealed class DataOptions
{
    public Option<FileInfo?> Data { get; } = new("--data") { Description = "A ratings file to split (MovieLens ratings.csv, u.data, or --format csv)." };

    public Option<string> Format { get; } = new("--format")
    {
        Description = "File format: auto (tab-separated => u.data, else MovieLens ratings.csv), movielens, udata, csv (a header line, then user,item,rating[,timestamp]).",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string> BadRows { get; } = new("--bad-rows")
    {
        Description = "What to do with a malformed row: fail (stop with file and line) or skip (count and report).",
        DefaultValueFactory = _ => "fail",
    };

    public Option<int> Users { get; } = new("--users") { Description = "Synthetic data: number of users.", DefaultValueFactory = _ => new SyntheticDataOptions().Users };

    public Option<int> Items { get; } = new("--items") { Description = "Synthetic data: number of items.", DefaultValueFactory = _ => new SyntheticDataOptions().Items };

    public Option<int> Ratings { get; } = new("--ratings") { Description = "Synthetic data: number of ratings.", DefaultValueFactory = _ => new SyntheticDataOptions().Interactions };

    public Option<ulong> Seed { get; } = new("--seed") { Description = "Seed of the synthetic data and of random splits.", DefaultValueFactory = _ => 42UL };

    public IEnumerable<Option> All => [Data, Format, BadRows, Users, Items, Ratings, Seed];

    public SyntheticDataOptions Synthetic(ParseResult result) => new()
    {
        Users = result.GetValue(Users),
        Items = result.GetValue(Items),
        Interactions = result.GetValue(Ratings),
        Seed = result.GetValue(Seed),
    };

    public InteractionDataset Read(ParseResult result, FileInfo file)
    {
        var policy = result.GetValue(BadRows) switch
        {
            "fail" => BadRowPolicy.Fail,
            "skip" => BadRowPolicy.Skip,
            var other => throw new UsageException($"--bad-rows must be 'fail' or 'skip', not '{other}'."),
        };

        if (!file.Exists)
        {
            throw new UsageException($"The file '{file.FullName}' does not exist.");
        }

        var format = result.GetValue(Format) switch
        {
            "movielens" => DelimitedFormat.MovieLensRatings,
            "udata" => DelimitedFormat.MovieLensUData,
            "csv" => new DelimitedFormat(),
            "auto" => FirstLine(file).Contains('\t', StringComparison.Ordinal) ? DelimitedFormat.MovieLensUData : DelimitedFormat.MovieLensRatings,
            var other => throw new UsageException($"--format must be auto, movielens, udata or csv, not '{other}'."),
        };

        var read = InteractionReader.Read(file.FullName, format, policy);
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{file.Name}: {read.Dataset.Count:N0} interactions, {read.Dataset.Users.Count:N0} users, {read.Dataset.Items.Count:N0} items; {read.RowsSkipped} bad rows skipped, {read.DuplicatesDropped} duplicates dropped"));
        foreach (var skipped in read.FirstSkippedRows)
        {
            Console.Error.WriteLine($"  skipped line {skipped.LineNumber}: {skipped.Reason}");
        }

        if (read.Dataset.Count == 0)
        {
            throw new UsageException($"The file '{file.FullName}' holds no interactions.");
        }

        return read.Dataset;
    }

    private static string FirstLine(FileInfo file)
    {
        using var reader = file.OpenText();
        return reader.ReadLine() ?? string.Empty;
    }
}

/// <summary>A problem with the command line or its inputs, reported without a stack trace.</summary>
internal sealed class UsageException(string message) : Exception(message);
