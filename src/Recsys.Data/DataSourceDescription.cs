namespace Recsys.Data;

/// <summary>What a source holds, as <see cref="InteractionSource.DescribeAsync"/> found it.</summary>
/// <param name="Kind">The kind of source.</param>
/// <param name="Path">The file or directory.</param>
/// <param name="Columns">The columns with their types.</param>
/// <param name="Rows">The number of rows (for Delta, live rows at <paramref name="Version"/>, deleted rows excluded).</param>
/// <param name="Version">The Delta table version described, or <see langword="null"/> for other kinds.</param>
public sealed record DataSourceDescription(DataSourceKind Kind, string Path, IReadOnlyList<DataSourceColumn> Columns, long Rows, long? Version);
