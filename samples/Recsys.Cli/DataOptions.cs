using System.CommandLine;
using System.Globalization;
using Recsys.Data;

namespace Recsys.Cli;

/// <summary>The options that say where interactions come from, shared by the commands.</summary>
internal sealed class DataOptions
{
    public Option<string?> Data { get; } = new("--data") { Description = "The interactions: a ratings file (MovieLens ratings.csv, u.data, any CSV with --format csv), a Parquet file or folder, or a Delta table directory." };

    public Option<string> Format { get; } = new("--format")
    {
        Description = "Source format: auto (a directory with _delta_log => delta, other directories and PAR1 files => parquet, tab-separated => u.data, else MovieLens ratings.csv), movielens, udata, csv (a header line, then user,item,rating[,timestamp]), parquet, delta.",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string?> Columns { get; } = new("--columns")
    {
        Description = "Parquet/Delta columns: user=NAME,item=NAME,value=NAME,timestamp=NAME (defaults userId, movieId or itemId, rating, timestamp; value= for implicit feedback).",
    };

    public Option<string?> Scale { get; } = new("--scale")
    {
        Description = "The rating scale MIN:MAX; a rating outside it is a bad row (see --bad-rows). Default: 0.5:5 for MovieLens ratings.csv, 1:5 for u.data, none for other sources; 'any' turns the check off.",
    };

    public Option<long?> Version { get; } = new("--version") { Description = "Delta: read this table version (default: the latest)." };

    public Option<string?> AsOf { get; } = new("--as-of") { Description = "Delta: read the newest version committed at or before this time (ISO 8601, or Unix milliseconds)." };

    public Option<string> BadRows { get; } = new("--bad-rows")
    {
        Description = "What to do with a malformed row: fail (stop with file and line) or skip (count and report).",
        DefaultValueFactory = _ => "fail",
    };

    public Option<int> Users { get; } = new("--users") { Description = "Synthetic data: number of users.", DefaultValueFactory = _ => new SyntheticDataOptions().Users };

    public Option<int> Items { get; } = new("--items") { Description = "Synthetic data: number of items.", DefaultValueFactory = _ => new SyntheticDataOptions().Items };

    public Option<int> Ratings { get; } = new("--ratings") { Description = "Synthetic data: number of ratings.", DefaultValueFactory = _ => new SyntheticDataOptions().Interactions };

    public Option<ulong> Seed { get; } = new("--seed") { Description = "Seed of the synthetic data and of random splits.", DefaultValueFactory = _ => 42UL };

    public IEnumerable<Option> All => [Data, Format, Columns, Scale, Version, AsOf, BadRows, Users, Items, Ratings, Seed];

    public SyntheticDataOptions Synthetic(ParseResult result) => new()
    {
        Users = result.GetValue(Users),
        Items = result.GetValue(Items),
        Interactions = result.GetValue(Ratings),
        Seed = result.GetValue(Seed),
    };

    public InteractionDataset Read(ParseResult result, FileInfo file, CliProgress? progress = null) => Read(result, file.FullName, progress);

    // timestamps: false for a command that fits on all the data (no split by time), which then holds 8 bytes a row less.
    public InteractionDataset Read(ParseResult result, string path, CliProgress? progress = null, bool timestamps = true)
    {
        var options = SourceOptions(result, path);
        options.ReadTimestamps = timestamps;
        InteractionReadResult read;
        try
        {
            // The rows read, against the total the footers give for Parquet and Delta (text is counted as it goes).
            CliProgress.Bar? bar = null;
            if (progress is not null)
            {
                long? total = InteractionSource.Detect(path) == DataSourceKind.Delimited
                    ? null
                    : InteractionSource.DescribeAsync(path, options).GetAwaiter().GetResult().Rows;
                bar = progress.Start($"read {Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}", total);
                options.Progress = new InlineProgress<long>(rows => bar.Report(rows, CliProgress.Rows(rows, total)));
            }

            read = InteractionSource.ReadAsync(path, options).GetAwaiter().GetResult();
            bar?.Done(CliProgress.Rows(read.RowsRead, null));
        }
        catch (FileNotFoundException e)
        {
            throw new UsageException(e.Message);
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        var version = read.SourceVersion is { } v ? string.Create(CultureInfo.InvariantCulture, $" (Delta version {v})") : string.Empty;
        CliProgress.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name}{version}: {read.Dataset.Count:N0} interactions, {read.Dataset.Users.Count:N0} users, {read.Dataset.Items.Count:N0} items; {read.RowsSkipped} bad rows skipped, {read.DuplicatesDropped} duplicates dropped"));
        foreach (var skipped in read.FirstSkippedRows)
        {
            CliProgress.WriteLine($"  skipped {skipped.Reason}"); // names the file and the line or row
        }

        if (read.Dataset.Count == 0)
        {
            throw new UsageException($"'{path}' holds no interactions.");
        }

        return read.Dataset;
    }

    /// <summary>The rows a source holds (from Parquet footers and the Delta log; delimited text is counted), for deciding where to train.</summary>
    public long CountRows(ParseResult result, string path) =>
        InteractionSource.DescribeAsync(path, SourceOptions(result, path)).GetAwaiter().GetResult().Rows;

    /// <summary>Reads a source into a spool on disk, reporting as <see cref="Read(ParseResult, string, CliProgress?, bool)"/> does.</summary>
    public InteractionSpool Spool(ParseResult result, string path, string directory, CliProgress progress, long total)
    {
        var options = SourceOptions(result, path);
        var bar = progress.Start($"spool {Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}", total);
        options.Progress = new InlineProgress<long>(rows => bar.Report(rows, CliProgress.Rows(rows, total)));
        var spool = InteractionSource.SpoolAsync(path, directory, options).GetAwaiter().GetResult();
        bar.Done(CliProgress.Rows(spool.RowsRead, null));
        var version = spool.SourceVersion is { } v ? string.Create(CultureInfo.InvariantCulture, $" (Delta version {v})") : string.Empty;
        CliProgress.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}{version}: {spool.Count:N0} rows spooled to {spool.Directory}, {spool.Users.Count:N0} users, {spool.Items.Count:N0} items; {spool.RowsSkipped} bad rows skipped"));
        foreach (var skipped in spool.FirstSkippedRows)
        {
            CliProgress.WriteLine($"  skipped {skipped.Reason}");
        }

        if (spool.Count == 0)
        {
            spool.Dispose();
            throw new UsageException($"'{path}' holds no interactions.");
        }

        return spool;
    }

    // The reader options that --format, --columns, --version, --as-of and --bad-rows ask for, checked against the source.
    public InteractionSourceOptions SourceOptions(ParseResult result, string path)
    {
        var policy = result.GetValue(BadRows) switch
        {
            null or "fail" => BadRowPolicy.Fail,
            "skip" => BadRowPolicy.Skip,
            var other => throw new UsageException($"--bad-rows must be 'fail' or 'skip', not '{other}'."),
        };

        if (!InteractionSource.Exists(path))
        {
            throw new UsageException($"'{(path.Contains("://", StringComparison.Ordinal) ? path : Path.GetFullPath(path))}' does not exist.");
        }

        var format = result.GetValue(Format);
        var kind = format switch
        {
            "auto" => DetectKind(path),
            "parquet" => DataSourceKind.Parquet,
            "delta" => DataSourceKind.Delta,
            "movielens" or "udata" or "csv" => DataSourceKind.Delimited,
            var other => throw new UsageException($"--format must be auto, movielens, udata, csv, parquet or delta, not '{other}'."),
        };
        if (kind == DataSourceKind.Delimited && Directory.Exists(path))
        {
            throw new UsageException($"'{path}' is a directory; --format {format} reads a file.");
        }

        var options = new InteractionSourceOptions
        {
            Kind = kind,
            BadRows = policy,
            Delimited = format switch
            {
                "movielens" => DelimitedFormat.MovieLensRatings,
                "udata" => DelimitedFormat.MovieLensUData,
                "csv" => new DelimitedFormat(),
                _ => null,
            },
            Version = result.GetValue(Version),
            AsOf = result.GetValue(AsOf) is { } asOf ? ParseTime(asOf) : null,
        };
        if (result.GetValue(Scale) is { } scale)
        {
            try
            {
                options.Scale = scale == "any" ? RatingScale.Any : RatingScale.Parse(scale);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--scale: {e.Message}");
            }
        }

        if (options.Version is < 0)
        {
            throw new UsageException($"--version must be 0 or more, not {options.Version}.");
        }

        if (options.Version is not null && options.AsOf is not null)
        {
            throw new UsageException("Give --version or --as-of, not both.");
        }

        if (kind != DataSourceKind.Delta && (options.Version is not null || options.AsOf is not null))
        {
            throw new UsageException($"--version and --as-of apply to Delta tables; '{path}' is {Describe(kind)}.");
        }

        if (result.GetValue(Columns) is { } columns)
        {
            if (kind == DataSourceKind.Delimited)
            {
                throw new UsageException($"--columns applies to Parquet and Delta sources; '{path}' is {Describe(kind)} (use --format csv and a header naming userId,movieId,rating).");
            }

            try
            {
                options.Columns = InteractionColumns.Parse(columns);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--columns: {e.Message}");
            }
        }

        return options;
    }

    public static string Describe(DataSourceKind kind) => kind switch
    {
        DataSourceKind.Delta => "a Delta table",
        DataSourceKind.Parquet => "Parquet",
        _ => "a delimited text file",
    };

    private static DataSourceKind DetectKind(string path)
    {
        try
        {
            return InteractionSource.Detect(path);
        }
        catch (FileNotFoundException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static DateTimeOffset ParseTime(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                ? time
                : throw new UsageException($"--as-of must be a time (2024-05-01T12:00:00Z) or Unix milliseconds, not '{text}'.");
}

/// <summary>A problem with the command line or its inputs, reported without a stack trace.</summary>
internal sealed class UsageException(string message) : Exception(message);
