namespace Recsys.Data.Internal.Delta;

// One line of a JSON commit or one row of a checkpoint (the same shape: at most one action set). The classes serve both
// System.Text.Json (commits, camelCase) and Parquet.Net's serializer (checkpoints, case-insensitive names); every
// value is nullable because Spark writes every checkpoint column as optional.
internal sealed class DeltaActionRow
{
    public DeltaAddAction? Add { get; set; }

    public DeltaRemoveAction? Remove { get; set; }

    public DeltaMetadataAction? MetaData { get; set; }

    public DeltaProtocolAction? Protocol { get; set; }

    public DeltaSidecarAction? Sidecar { get; set; }

    public DeltaCommitInfo? CommitInfo { get; set; }
}

internal sealed class DeltaAddAction
{
    public string? Path { get; set; }

    public Dictionary<string, string?>? PartitionValues { get; set; }

    public long? Size { get; set; }

    public long? ModificationTime { get; set; }

    public bool? DataChange { get; set; }

    public string? Stats { get; set; }

    public DeltaDeletionVectorAction? DeletionVector { get; set; }
}

internal sealed class DeltaRemoveAction
{
    public string? Path { get; set; }

    public DeltaDeletionVectorAction? DeletionVector { get; set; }
}

internal sealed class DeltaDeletionVectorAction
{
    public string? StorageType { get; set; }

    public string? PathOrInlineDv { get; set; }

    public int? Offset { get; set; }

    public int? SizeInBytes { get; set; }

    public long? Cardinality { get; set; }
}

internal sealed class DeltaMetadataAction
{
    public string? Id { get; set; }

    public string? SchemaString { get; set; }

    public List<string>? PartitionColumns { get; set; }

    public Dictionary<string, string?>? Configuration { get; set; }
}

internal sealed class DeltaProtocolAction
{
    public int? MinReaderVersion { get; set; }

    public List<string>? ReaderFeatures { get; set; }
}

internal sealed class DeltaSidecarAction
{
    public string? Path { get; set; }
}

internal sealed class DeltaCommitInfo
{
    public long? InCommitTimestamp { get; set; }

    public long? Timestamp { get; set; }
}

/// <summary>
/// Source-generated JSON of the log's actions: camelCase names read case-insensitively (writers differ), no reflection
/// (the library is trimming- and AOT-compatible).
/// </summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(DeltaActionRow))]
internal sealed partial class DeltaJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
