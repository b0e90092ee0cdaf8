namespace Recsys.Data;

/// <summary>How <see cref="InteractionSource"/> reads a source.</summary>
public sealed class InteractionSourceOptions
{
    /// <summary>Gets or sets the kind of source, or <see langword="null"/> (the default) to detect it from the path.</summary>
    public DataSourceKind? Kind { get; set; }

    /// <summary>Gets or sets the columns of a Parquet or Delta source.</summary>
    public InteractionColumns Columns { get; set; } = new();

    /// <summary>Gets or sets the layout of a delimited source, or <see langword="null"/> for MovieLens <c>ratings.csv</c> (or <c>u.data</c> when the first line has tabs).</summary>
    public DelimitedFormat? Delimited { get; set; }

    /// <summary>Gets or sets the declared rating scale: a value outside it is a bad row. <see langword="null"/> (the default) checks none for Parquet and Delta and keeps <see cref="DelimitedFormat.Scale"/> for delimited text (0.5 to 5 for MovieLens ratings.csv); <see cref="RatingScale.Any"/> turns the check off.</summary>
    public RatingScale? Scale { get; set; }

    /// <summary>Gets or sets whether a bad row stops the read (the default) or is skipped and counted.</summary>
    public BadRowPolicy BadRows { get; set; } = BadRowPolicy.Fail;

    /// <summary>
    /// Gets or sets what receives the number of rows read so far: every 100,000 lines of delimited text, after every
    /// Parquet row group, and once at the end. <see langword="null"/> (the default) reports nothing.
    /// </summary>
    public IProgress<long>? Progress { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether timestamps are read. When false, the dataset has none
    /// (<see cref="InteractionDataset.HasTimestamps"/> is false, every timestamp reads 0) and holds 8 bytes a row less:
    /// for training on all of a source, where no split by time is made. Delimited text still checks the timestamp field.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ReadTimestamps { get; set; } = true;

    /// <summary>Gets or sets the Delta table version to read, or <see langword="null"/> for the latest.</summary>
    public long? Version { get; set; }

    /// <summary>Gets or sets a time: read the newest Delta table version committed at or before it.</summary>
    public DateTimeOffset? AsOf { get; set; }
}
