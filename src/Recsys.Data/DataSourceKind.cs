namespace Recsys.Data;

/// <summary>The kinds of interaction sources Recsys reads.</summary>
public enum DataSourceKind
{
    /// <summary>Delimited text: MovieLens <c>ratings.csv</c>, <c>u.data</c>, or any CSV with a header.</summary>
    Delimited = 0,

    /// <summary>A Parquet file, or a directory of Parquet files.</summary>
    Parquet = 1,

    /// <summary>A Delta Lake table: a directory with a <c>_delta_log</c>.</summary>
    Delta = 2,
}
