namespace Recsys.Data.Internal.Delta;

// The table state while the log is replayed: live files keyed by (resolved path, deletion vector id), the latest
// protocol and metadata.
internal sealed class ReplayState(string tableRoot, string table)
{
    private readonly Dictionary<(string Path, string? Dv), DeltaAddAction> _files = [];

    public string Table { get; } = table;

    public DeltaProtocolAction? Protocol { get; private set; }

    public DeltaMetadataAction? Metadata { get; private set; }

    public IReadOnlyDictionary<string, string?> Configuration => Metadata?.Configuration ?? [];

    public bool InCommitTimestamps =>
        Configuration.TryGetValue("delta.enableInCommitTimestamps", out var enabled)
        && string.Equals(enabled, "true", StringComparison.OrdinalIgnoreCase);

    public void Apply(DeltaActionRow row)
    {
        if (row.Protocol is { } protocol)
        {
            Protocol = protocol;
        }

        if (row.MetaData is { } metadata)
        {
            Metadata = metadata;
        }

        if (row.Remove is { Path: { } removed } remove)
        {
            _files.Remove((DeltaPaths.Resolve(removed, tableRoot, Table), DvId(remove.DeletionVector)));
        }

        if (row.Add is { Path: { } added } add)
        {
            _files[(DeltaPaths.Resolve(added, tableRoot, Table), DvId(add.DeletionVector))] = add;
        }
    }

    public DeltaState Finish(long version, long? checkpointVersion, DateTimeOffset timestamp)
    {
        var protocol = Protocol ?? throw new DeltaTableException(Table, $"the log up to version {version} has no protocol action");
        var metadata = Metadata ?? throw new DeltaTableException(Table, $"the log up to version {version} has no metaData action");
        CheckProtocol(protocol);
        // A metaData action without a schemaString (written by hand, as in Delta's own log tests) has no columns.
        var schema = metadata.SchemaString is { } schemaString ? DeltaSchema.Parse(schemaString, Table) : [];
        var mode = Configuration.TryGetValue("delta.columnMapping.mode", out var m) && m is not null ? m : "none";
        if (mode is not ("none" or "name" or "id"))
        {
            throw new DeltaTableException(Table, $"the column mapping mode '{mode}' is not one the protocol defines (none, name, id)", unsupportedFeature: $"columnMapping.mode={mode}");
        }

        var features = protocol.ReaderFeatures ?? [];
        var mappingHonoured = protocol.MinReaderVersion == 2 || (protocol.MinReaderVersion >= 3 && features.Contains("columnMapping"));
        var files = _files
            .Select(f => new DeltaLiveFile(f.Key.Path, f.Value.Path!, f.Value.PartitionValues ?? [], f.Value.Size ?? 0, f.Value.DeletionVector))
            .OrderBy(f => f.FullPath, StringComparer.Ordinal)
            .ToList();
        return new DeltaState(
            tableRoot,
            version,
            checkpointVersion,
            timestamp,
            protocol.MinReaderVersion ?? 1,
            features,
            metadata.Id,
            schema,
            metadata.PartitionColumns ?? [],
            mappingHonoured ? mode : "none",
            InCommitTimestamps,
            files);
    }

    private void CheckProtocol(DeltaProtocolAction protocol)
    {
        var readerVersion = protocol.MinReaderVersion ?? throw new DeltaTableException(Table, "the protocol action has no minReaderVersion");
        if (readerVersion > DeltaLog.MaxReaderVersion)
        {
            throw new DeltaTableException(
                Table,
                $"the table needs reader version {readerVersion}; this reader implements versions 1 to {DeltaLog.MaxReaderVersion}",
                unsupportedFeature: $"readerVersion {readerVersion}");
        }

        if (readerVersion == 3)
        {
            foreach (var feature in protocol.ReaderFeatures ?? [])
            {
                if (!DeltaLog.SupportedReaderFeatures.Contains(feature))
                {
                    throw new DeltaTableException(
                        Table,
                        $"the table needs the reader feature '{feature}', which this reader does not implement (it implements {string.Join(", ", DeltaLog.SupportedReaderFeatures.Order(StringComparer.Ordinal))})",
                        unsupportedFeature: feature);
                }
            }
        }
    }

    private static string? DvId(DeltaDeletionVectorAction? dv) =>
        dv is null ? null : dv.Offset is { } offset ? $"{dv.StorageType}{dv.PathOrInlineDv}@{offset}" : $"{dv.StorageType}{dv.PathOrInlineDv}";
}

internal sealed record DeltaLiveFile(
    string FullPath,
    string LoggedPath,
    IReadOnlyDictionary<string, string?> PartitionValues,
    long Size,
    DeltaDeletionVectorAction? DeletionVector);

internal sealed record DeltaState(
    string TableRoot,
    long Version,
    long? CheckpointVersion,
    DateTimeOffset Timestamp,
    int ReaderVersion,
    IReadOnlyList<string> ReaderFeatures,
    string? TableId,
    IReadOnlyList<DeltaField> Schema,
    IReadOnlyList<string> PartitionColumns,
    string ColumnMappingMode,
    bool InCommitTimestamps,
    IReadOnlyList<DeltaLiveFile> Files);
