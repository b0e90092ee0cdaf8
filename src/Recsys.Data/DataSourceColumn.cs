namespace Recsys.Data;

/// <summary>A column of a data source as a reader sees it.</summary>
/// <param name="Name">The column's name (for a Delta table, its logical name).</param>
/// <param name="Type">The type: <c>boolean</c>, <c>byte</c>, <c>short</c>, <c>integer</c>, <c>long</c>, <c>float</c>, <c>double</c>, <c>decimal…</c>, <c>string</c>, <c>binary</c>, <c>date</c>, <c>timestamp</c>, <c>timestamp_ntz</c>, or a complex type (<c>struct</c>, <c>array</c>, <c>map</c>) that Recsys does not read.</param>
/// <param name="IsPartition">Whether the values come from the Delta log's partition values rather than the data files.</param>
public sealed record DataSourceColumn(string Name, string Type, bool IsPartition = false);
