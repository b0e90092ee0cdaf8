using System.Globalization;
using Recsys.Data.Internal;

namespace Recsys.Data;

/// <summary>Reads interactions from delimited text, streaming line by line.</summary>
public static class InteractionReader
{
    private const int MaxFields = 64;

    /// <summary>Reads a delimited file of interactions.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">The layout of the file.</param>
    /// <param name="badRows">Whether a bad row stops the read or is skipped and counted.</param>
    /// <returns>The dataset and an account of skipped and duplicated rows.</returns>
    /// <exception cref="InteractionDataException">The file is empty, its header lacks a named column, or (under <see cref="BadRowPolicy.Fail"/>) a row is bad; the message names the file and line.</exception>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException"><paramref name="format"/> is invalid.</exception>
    public static InteractionReadResult Read(string path, DelimitedFormat format, BadRowPolicy badRows) => Read(path, format, badRows, scale: null)!;

    // As Read, with the rating scale set to `scale` instead of the format's when it is given, and without timestamps
    // when `timestamps` is false. UTF-8 files (the usual case) are decoded in blocks, without a string per line; a
    // file with a UTF-16 or UTF-32 byte order mark goes through a StreamReader.
    internal static InteractionReadResult? Read(string path, DelimitedFormat format, BadRowPolicy badRows, RatingScale? scale, IProgress<long>? progress = null, bool timestamps = true, InteractionSpool? spool = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = Internal.Storage.FileStore.IsRemote(path)
            ? Internal.Storage.FileStore.For(path).OpenRead(path)
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        if (Utf8Lines.HasOtherByteOrderMark(stream))
        {
            using var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true);
            return Read(new LineSource(reader), path, format, badRows, scale, progress, timestamps, spool);
        }

        return Read(new LineSource(new Utf8Lines(stream)), path, format, badRows, scale, progress, timestamps, spool);
    }

    /// <summary>Reads delimited interactions from a text reader.</summary>
    /// <param name="reader">The text, read line by line.</param>
    /// <param name="source">The name used in error messages (usually the file name).</param>
    /// <param name="format">The layout of the text.</param>
    /// <param name="badRows">Whether a bad row stops the read or is skipped and counted.</param>
    /// <returns>The dataset and an account of skipped and duplicated rows.</returns>
    /// <exception cref="InteractionDataException">The text is empty, its header lacks a named column, or (under <see cref="BadRowPolicy.Fail"/>) a row is bad; the message names the source and line.</exception>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException"><paramref name="format"/> is invalid.</exception>
    public static InteractionReadResult Read(TextReader reader, string source, DelimitedFormat format, BadRowPolicy badRows)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Read(new LineSource(reader), source, format, badRows, scale: null, progress: null, timestamps: true, spool: null)!;
    }

    // Into a dataset (returned), or into a spool (null returned).
    private static InteractionReadResult? Read(LineSource lines, string source, DelimitedFormat format, BadRowPolicy badRows, RatingScale? scale, IProgress<long>? progress, bool timestamps, InteractionSpool? spool)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(format);
        format.Validate();
        scale ??= format.Scale;

        var skipped = new List<SkippedRow>();
        long skippedCount = 0;
        long rowsRead = 0;
        long lineNumber = 0;
        Span<Range> fields = stackalloc Range[MaxFields];

        if (!lines.TryRead(out var line))
        {
            throw new InteractionDataException(source, 0, format.HasHeader
                ? "the file is empty; expected a header line naming the columns"
                : "the file is empty; expected at least one interaction");
        }

        var columns = Columns.FromFormat(format);
        if (format.TimestampColumn is null && columns.Timestamp == columns.Required - 1 && DelimitedLine.Split(line, format.Delimiter, fields) == columns.Timestamp)
        {
            // A plain user,item,rating file: the first line (header or row) has every column but the last, the timestamp,
            // so the file has no timestamp column and every timestamp is 0. Later rows must have the same columns.
            columns = columns with { Timestamp = -1 };
        }

        var more = true;
        if (format.HasHeader)
        {
            lineNumber = 1;
            columns = columns.ResolveHeader(line.ToString(), format, source);
            more = lines.TryRead(out line);
        }

        // Without timestamps (none in the file, or not wanted) the builder keeps none: 8 bytes a row less. The
        // timestamp field is still checked, so that a file has the same bad rows either way.
        var builder = spool is null ? new InteractionDatasetBuilder(0, timestamps && columns.Timestamp >= 0, levels: true) : null;

        for (; more; more = lines.TryRead(out line))
        {
            lineNumber++;
            if (line.IsWhiteSpace())
            {
                continue;
            }

            if (rowsRead == 0 && lines.EstimateLines() is { } estimate)
            {
                builder?.EnsureCapacity(estimate);
            }

            if (++rowsRead % 100_000 == 0)
            {
                progress?.Report(rowsRead);
            }

            var error = TryParse(line, format, scale, columns, fields, builder, spool);
            if (error is null)
            {
                continue;
            }

            if (badRows == BadRowPolicy.Fail)
            {
                throw new InteractionDataException(source, lineNumber, error);
            }

            skippedCount++;
            if (skipped.Count < InteractionReadResult.MaxListedSkippedRows)
            {
                // Self-describing, as the Parquet reader's are: the CLI prints the reasons as they are.
                skipped.Add(new SkippedRow(lineNumber, string.Create(CultureInfo.InvariantCulture, $"{source}, line {lineNumber}: {error}")));
            }
        }

        progress?.Report(rowsRead);
        if (spool is not null)
        {
            spool.SetSource(source, null, rowsRead, skippedCount, skipped);
            return null;
        }

        return new InteractionReadResult
        {
            Dataset = builder!.BuildAndClear(),
            Source = source,
            RowsRead = rowsRead,
            RowsSkipped = skippedCount,
            FirstSkippedRows = skipped,
        };
    }

    private static string? TryParse(ReadOnlySpan<char> line, DelimitedFormat format, RatingScale? scale, Columns columns, Span<Range> fields, InteractionDatasetBuilder? builder, InteractionSpool? spool)
    {
        var text = line;
        var count = DelimitedLine.Split(text, format.Delimiter, fields);
        if (count < 0)
        {
            return "a quoted field is not closed";
        }

        if (count < columns.Required)
        {
            return $"expected at least {columns.Required} fields separated by {DelimitedLine.Describe(format.Delimiter)} but found {count}";
        }

        var user = DelimitedLine.Field(text, fields[columns.User]);
        if (user.IsEmpty)
        {
            return "the user id is empty";
        }

        var item = DelimitedLine.Field(text, fields[columns.Item]);
        if (item.IsEmpty)
        {
            return "the item id is empty";
        }

        var value = format.DefaultValue;
        if (columns.Value >= 0)
        {
            var valueText = DelimitedLine.Field(text, fields[columns.Value]);
            if (!float.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                return $"the value '{valueText}' is not a number";
            }

            if (!float.IsFinite(value))
            {
                return $"the value '{valueText}' is not a finite number";
            }

            if (scale is not null && !scale.Contains(value))
            {
                return $"the rating {valueText} is outside the scale {scale}";
            }
        }

        long timestamp = 0;
        if (columns.Timestamp >= 0)
        {
            var timestampText = DelimitedLine.Field(text, fields[columns.Timestamp]);
            if (!long.TryParse(timestampText, NumberStyles.Integer, CultureInfo.InvariantCulture, out timestamp))
            {
                return $"the timestamp '{timestampText}' is not a whole number of seconds";
            }
        }

        if (builder is not null)
        {
            builder.Add(user, item, value, timestamp);
        }
        else
        {
            spool!.Add(spool.AddUser(user), spool.AddItem(item), value);
        }

        return null;
    }

    private readonly record struct Columns(int User, int Item, int Value, int Timestamp)
    {
        public int Required => Math.Max(Math.Max(User, Item), Math.Max(Value, Timestamp)) + 1;

        public static Columns FromFormat(DelimitedFormat format) =>
            new(format.UserIndex, format.ItemIndex, format.ValueIndex, format.TimestampIndex);

        public Columns ResolveHeader(string header, DelimitedFormat format, string source)
        {
            Span<Range> names = stackalloc Range[MaxFields];
            var count = Math.Min(DelimitedLine.Split(header, format.Delimiter, names), MaxFields);
            if (count < 0)
            {
                throw new InteractionDataException(source, 1, "a quoted column name in the header is not closed");
            }

            int Find(string? name, int fallback, Span<Range> names)
            {
                if (name is null)
                {
                    return fallback;
                }

                for (var i = 0; i < count; i++)
                {
                    if (DelimitedLine.Field(header, names[i]).Equals(name, StringComparison.OrdinalIgnoreCase))
                    {
                        return i;
                    }
                }

                throw new InteractionDataException(
                    source,
                    1,
                    $"the header has no column named '{name}' (columns separated by {DelimitedLine.Describe(format.Delimiter)}: '{header}')");
            }

            return new Columns(
                Find(format.UserColumn, User, names),
                Find(format.ItemColumn, Item, names),
                Find(format.ValueColumn, Value, names),
                Find(format.TimestampColumn, Timestamp, names));
        }
    }
}
