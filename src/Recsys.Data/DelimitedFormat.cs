using System.ComponentModel.DataAnnotations;

namespace Recsys.Data;

/// <summary>
/// Describes a delimited text file of interactions: the delimiter, whether a header line names the columns, and
/// which column holds the user, the item, the value and the timestamp.
/// </summary>
/// <remarks>
/// Columns are found by name in the header when a <c>…Column</c> name is set, otherwise by 0-based position.
/// Fields may be quoted with <c>"</c> (a doubled quote inside stands for one); a quoted field cannot span lines.
/// </remarks>
public sealed class DelimitedFormat
{
    /// <summary>Gets or sets the field delimiter.</summary>
    /// <value>The default value is <c>','</c>.</value>
    public char Delimiter { get; set; } = ',';

    /// <summary>Gets or sets a value indicating whether the first line is a header.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool HasHeader { get; set; } = true;

    /// <summary>Gets or sets the header name of the user column; overrides <see cref="UserIndex"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? UserColumn { get; set; }

    /// <summary>Gets or sets the header name of the item column; overrides <see cref="ItemIndex"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ItemColumn { get; set; }

    /// <summary>Gets or sets the header name of the value column; overrides <see cref="ValueIndex"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ValueColumn { get; set; }

    /// <summary>Gets or sets the header name of the timestamp column; overrides <see cref="TimestampIndex"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? TimestampColumn { get; set; }

    /// <summary>Gets or sets the 0-based position of the user column.</summary>
    /// <value>The default value is 0.</value>
    [Range(0, 1023)]
    public int UserIndex { get; set; }

    /// <summary>Gets or sets the 0-based position of the item column.</summary>
    /// <value>The default value is 1.</value>
    [Range(0, 1023)]
    public int ItemIndex { get; set; } = 1;

    /// <summary>Gets or sets the 0-based position of the value column, or -1 when there is none (every value is <see cref="DefaultValue"/>).</summary>
    /// <value>The default value is 2.</value>
    [Range(-1, 1023)]
    public int ValueIndex { get; set; } = 2;

    /// <summary>
    /// Gets or sets the 0-based position of the timestamp column, or -1 when there is none (every timestamp is 0). A
    /// file whose first line (the header, or the first row) has every column but the timestamp, when the timestamp is the
    /// last column, has no timestamp column: a plain <c>user,item,rating</c> file reads with the defaults.
    /// </summary>
    /// <value>The default value is 3.</value>
    [Range(-1, 1023)]
    public int TimestampIndex { get; set; } = 3;

    /// <summary>Gets or sets the value of every interaction when there is no value column (implicit feedback).</summary>
    /// <value>The default value is 1.</value>
    public float DefaultValue { get; set; } = 1f;

    /// <summary>Gets or sets the declared rating scale: a value outside it is a bad row; <see langword="null"/> (the default) checks none.</summary>
    public RatingScale? Scale { get; set; }

    /// <summary>Gets the format of MovieLens <c>ratings.csv</c>: <c>userId,movieId,rating,timestamp</c> with a header, ratings 0.5 to 5.</summary>
    public static DelimitedFormat MovieLensRatings => new()
    {
        Delimiter = ',',
        HasHeader = true,
        UserColumn = "userId",
        ItemColumn = "movieId",
        ValueColumn = "rating",
        TimestampColumn = "timestamp",
        Scale = RatingScale.MovieLens,
    };

    /// <summary>Gets the format of MovieLens 100K <c>u.data</c>: tab-separated user, item, rating, timestamp without a header, ratings 1 to 5.</summary>
    public static DelimitedFormat MovieLensUData => new() { Delimiter = '\t', HasHeader = false, Scale = RatingScale.MovieLens100K };

    /// <summary>Checks that the format is usable.</summary>
    /// <exception cref="ValidationException">A setting is out of range or inconsistent; the message names it.</exception>
    public void Validate()
    {
        var checkedRanges = new DelimitedFormatValidator().Validate(null, this); // source-generated: the same checks as ValidateOnStart
        if (checkedRanges.Failed)
        {
            throw new ValidationException(checkedRanges.FailureMessage);
        }

        if (!HasHeader && (UserColumn ?? ItemColumn ?? ValueColumn ?? TimestampColumn) is not null)
        {
            throw new ValidationException("Columns can be named only when the file has a header; set HasHeader or use the column indices.");
        }

        if (Delimiter is '"' or '\r' or '\n')
        {
            throw new ValidationException($"The delimiter cannot be {DelimitedLine.Describe(Delimiter)}.");
        }

        if (Scale is { } scale && !(scale.Min <= scale.Max))
        {
            throw new ValidationException($"The rating scale's minimum ({scale.Min}) is above its maximum ({scale.Max}).");
        }

        if (!float.IsFinite(DefaultValue))
        {
            throw new ValidationException("DefaultValue must be a finite number.");
        }
    }
}
