namespace Recsys.Data;

/// <summary>What a reader read: the dataset and an account of what it left out.</summary>
public sealed record InteractionReadResult
{
    /// <summary>The number of skipped rows listed in <see cref="FirstSkippedRows"/> at most.</summary>
    public const int MaxListedSkippedRows = 10;

    /// <summary>Gets the dataset built from the good rows.</summary>
    public required InteractionDataset Dataset { get; init; }

    /// <summary>Gets the name of the source that was read.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the number of data rows read, good and bad (header and blank lines excluded).</summary>
    public required long RowsRead { get; init; }

    /// <summary>Gets the number of bad rows skipped.</summary>
    public required long RowsSkipped { get; init; }

    /// <summary>Gets the first <see cref="MaxListedSkippedRows"/> skipped rows, in line order.</summary>
    public required IReadOnlyList<SkippedRow> FirstSkippedRows { get; init; }

    /// <summary>Gets the version of the source that was read (a Delta table's version), or <see langword="null"/> for unversioned sources.</summary>
    public long? SourceVersion { get; init; }

    /// <summary>Gets how many duplicated (user, item) rows were dropped because a later one replaced them.</summary>
    public int DuplicatesDropped => Dataset.DuplicatesDropped;
}
