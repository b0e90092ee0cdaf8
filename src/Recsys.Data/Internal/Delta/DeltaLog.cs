using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Parquet.Serialization;

using Recsys.Data.Internal.Storage;

namespace Recsys.Data.Internal.Delta;

// The reader side of the Delta transaction log (PROTOCOL.md): list the log, pick the newest complete checkpoint at or
// before the wanted version, replay the JSON commits after it, reconcile add/remove by (path, deletion vector id),
// and check the protocol. Time travel resolves a timestamp to the newest commit made at or before it.
internal static partial class DeltaLog
{
    public const int MaxReaderVersion = 3;

    public static readonly IReadOnlySet<string> SupportedReaderFeatures = new HashSet<string>(StringComparer.Ordinal)
    {
        "columnMapping",
        "deletionVectors",
        "timestampNtz",
        "v2Checkpoint",
        "vacuumProtocolCheck",
    };

    private static readonly Parquet.ParquetOptions CheckpointOptions = new();

    public static DeltaState Load(string tableRoot, long? version, DateTimeOffset? asOf)
    {
        var table = tableRoot;
        var logDirectory = LogDirectory(tableRoot);
        var listing = LogListing.Of(logDirectory);
        if (listing.Commits.Count == 0 && listing.Checkpoints.Count == 0)
        {
            throw new DeltaTableException(table, "the _delta_log directory holds no commits and no checkpoints");
        }

        var latest = Math.Max(
            listing.Commits.Count > 0 ? listing.Commits.Keys.Max() : -1,
            listing.Checkpoints.Count > 0 ? listing.Checkpoints.Keys.Max() : -1);
        long target;
        if (asOf is { } timestamp)
        {
            target = VersionAsOf(listing, timestamp, table);
        }
        else if (version is { } wanted)
        {
            if (wanted < 0 || wanted > latest)
            {
                throw new DeltaTableException(table, $"version {wanted} does not exist; the table's versions end at {latest}");
            }

            target = wanted;
        }
        else
        {
            target = latest;
        }

        var state = new ReplayState(tableRoot, table);
        var checkpoints = listing.Checkpoints.Where(c => c.Key <= target && c.Value.IsComplete).OrderByDescending(c => c.Key);
        long replayFrom = 0;
        long? checkpointVersion = null;
        foreach (var (checkpointAt, checkpoint) in checkpoints)
        {
            if (!HasCommits(listing, checkpointAt + 1, target))
            {
                continue;
            }

            var attempt = new ReplayState(tableRoot, table);
            if (TryReadCheckpoint(checkpoint, logDirectory, attempt))
            {
                state = attempt;
                replayFrom = checkpointAt + 1;
                checkpointVersion = checkpointAt;
                break;
            }
        }

        if (checkpointVersion is null && !HasCommits(listing, 0, target))
        {
            var missing = Enumerable.Range(0, (int)Math.Min(target + 1, int.MaxValue)).First(v => !listing.Commits.ContainsKey(v));
            throw new DeltaTableException(table, $"the commit for version {missing} is missing and no complete checkpoint at or after it covers it, so version {target} cannot be reconstructed");
        }

        for (var v = replayFrom; v <= target; v++)
        {
            ReadCommit(listing.Commits[v], state);
        }

        return state.Finish(target, checkpointVersion, CommitTimestamp(listing, target, state.InCommitTimestamps));
    }

    // Rows added by data-changing commits over the table's available history (what a data-volume trigger counts):
    // numRecords of each add with dataChange, from its stats or else the file's footer. When older commits were
    // cleaned up, the live rows at the version before the first kept commit stand for the history before it.
    public static long CountAddedRows(string tableRoot)
    {
        var table = tableRoot;
        var listing = LogListing.Of(LogDirectory(tableRoot));
        if (listing.Commits.Count == 0)
        {
            return 0;
        }

        var versions = listing.Commits.Keys.Order().ToList();
        long total = 0;
        if (versions[0] > 0)
        {
            var before = new DeltaSnapshot(Load(tableRoot, versions[0] - 1, asOf: null));
            total += before.CountRowsAsync().GetAwaiter().GetResult();
        }

        foreach (var version in versions)
        {
            foreach (var row in ReadJsonActions(listing.Commits[version], table))
            {
                if (row.Add is { Path: { } path, DataChange: not false } add)
                {
                    total += NumRecords(add.Stats) ?? FooterRows(DeltaPaths.Resolve(path, tableRoot, table), table);
                }
            }
        }

        return total;
    }

    private static long? NumRecords(string? stats)
    {
        if (string.IsNullOrEmpty(stats))
        {
            return null;
        }

        using var document = JsonDocument.Parse(stats);
        return document.RootElement.TryGetProperty("numRecords", out var n) && n.TryGetInt64(out var rows) ? rows : null;
    }

    private static long FooterRows(string file, string table)
    {
        try
        {
            // The one way files are opened (ParquetColumns.OpenAsync): a truncated or foreign file is named.
            var reader = Columnar.ParquetColumns.OpenAsync(file, CancellationToken.None).GetAwaiter().GetResult();
            try
            {
                return reader.RowGroups.Sum(g => g.RowCount);
            }
            finally
            {
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new DeltaTableException(table, $"cannot count the rows of {file}: its add action has no numRecords statistic and the file cannot be read ({e.Message})", e);
        }
    }

    // What makes a directory a table is decided once, by DeltaTable.IsDeltaTable (source detection uses it too).
    private static string LogDirectory(string tableRoot) =>
        DeltaTable.IsDeltaTable(tableRoot)
            ? FileStore.For(tableRoot).Combine(tableRoot, "_delta_log")
            : throw new DeltaTableException(tableRoot, "there is no _delta_log directory, so this is not a Delta table");

    private static bool HasCommits(LogListing listing, long from, long to)
    {
        for (var v = from; v <= to; v++)
        {
            if (!listing.Commits.ContainsKey(v))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryReadCheckpoint(CheckpointFiles checkpoint, string logDirectory, ReplayState state)
    {
        try
        {
            foreach (var file in checkpoint.Files)
            {
                foreach (var row in ReadActionFile(file, state.Table))
                {
                    if (row.Sidecar?.Path is { } sidecar)
                    {
                        var sidecarPath = Path.IsPathRooted(sidecar) || sidecar.Contains(':', StringComparison.Ordinal)
                            ? DeltaPaths.Resolve(sidecar, logDirectory, state.Table)
                            : FileStore.For(logDirectory).Combine(logDirectory, "_sidecars/" + Uri.UnescapeDataString(sidecar));
                        foreach (var sidecarRow in ReadActionFile(sidecarPath, state.Table))
                        {
                            state.Apply(sidecarRow);
                        }
                    }
                    else
                    {
                        state.Apply(row);
                    }
                }
            }

            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or NotSupportedException or InvalidOperationException)
        {
            // A checkpoint that cannot be read is skipped: the next older one, or the commits, rebuild the same state.
            return false;
        }
    }

    private static IEnumerable<DeltaActionRow> ReadActionFile(string path, string table)
    {
        if (path.EndsWith(".json", StringComparison.Ordinal))
        {
            return ReadJsonActions(path, table);
        }

        // Untyped, because writers differ in which checkpoint fields they make required; each row becomes the JSON
        // of the same action, so commits and checkpoints share one reading of the actions.
        using var stream = FileStore.For(path).OpenRead(path);
        var result = ParquetSerializer.DeserializeUntypedAsync(stream, CheckpointOptions).GetAwaiter().GetResult();
        return result.Data.Select(row => ToJson(row).Deserialize(DeltaJsonContext.Default.DeltaActionRow)!).ToList();
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        ReadOnlyMemory<char> text => JsonValue.Create(text.ToString()),
        string text => JsonValue.Create(text),
        ReadOnlyMemory<byte> bytes => JsonValue.Create(Convert.ToBase64String(bytes.Span)),
        System.Collections.IDictionary map => new JsonObject(map.Keys.Cast<object>()
            .Select(k => KeyValuePair.Create(k is ReadOnlyMemory<char> m ? m.ToString() : Convert.ToString(k, CultureInfo.InvariantCulture)!, ToJson(map[k])))),
        System.Collections.IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(ToJson)]),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static IEnumerable<DeltaActionRow> ReadJsonActions(string path, string table)
    {
        var lineNumber = 0;
        var store = FileStore.For(path);
        foreach (var line in store.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            DeltaActionRow? row;
            try
            {
                row = JsonSerializer.Deserialize(line, DeltaJsonContext.Default.DeltaActionRow);
            }
            catch (JsonException e)
            {
                throw new DeltaTableException(table, $"{store.FileName(path)}, line {lineNumber} is not a valid action: {JsonErrors.Describe(e)}", e);
            }

            if (row is not null)
            {
                yield return row;
            }
        }
    }

    private static void ReadCommit(string path, ReplayState state)
    {
        foreach (var row in ReadJsonActions(path, state.Table))
        {
            state.Apply(row);
        }
    }

    // In-commit timestamps when the table enables them (the commitInfo's inCommitTimestamp), else the commit file's
    // modification time, as the protocol says readers must use.
    private static DateTimeOffset CommitTimestamp(LogListing listing, long version, bool inCommitTimestamps)
    {
        if (!listing.Commits.TryGetValue(version, out var path))
        {
            return FileStore.For(listing.Directory).LastModified(listing.Checkpoints[version].Files[0]);
        }

        if (inCommitTimestamps)
        {
            foreach (var row in ReadJsonActions(path, listing.Directory))
            {
                if (row.CommitInfo?.InCommitTimestamp is { } ict)
                {
                    return DateTimeOffset.FromUnixTimeMilliseconds(ict);
                }
            }
        }

        return FileStore.For(path).LastModified(path);
    }

    private static long VersionAsOf(LogListing listing, DateTimeOffset asOf, string table)
    {
        // The latest state says whether in-commit timestamps are on; replaying it first keeps the rule in one place.
        var latestState = Load(FileStore.For(listing.Directory).Parent(listing.Directory)!, version: null, asOf: null);
        var candidates = listing.Commits.Keys.Order().Select(v => (Version: v, At: CommitTimestamp(listing, v, latestState.InCommitTimestamps))).ToList();
        var best = candidates.LastOrDefault(c => c.At <= asOf);
        if (best.At == default)
        {
            var first = candidates[0];
            throw new DeltaTableException(table, $"no version was committed at or before {asOf:O}; the earliest available commit is version {first.Version} at {first.At:O}");
        }

        return best.Version;
    }

    private sealed record CheckpointFiles(List<string> Files, int Parts)
    {
        public bool IsComplete => Files.Count == Parts;
    }

    private sealed class LogListing
    {
        public required string Directory { get; init; }

        public Dictionary<long, string> Commits { get; } = [];

        public Dictionary<long, CheckpointFiles> Checkpoints { get; } = [];

        public static LogListing Of(string directory)
        {
            var listing = new LogListing { Directory = directory };
            var multiPart = new Dictionary<(long Version, int Parts), SortedDictionary<int, string>>();
            var store = FileStore.For(directory);
            foreach (var path in store.EnumerateFiles(directory, recursive: false))
            {
                var name = store.FileName(path);
                if (CommitName().Match(name) is { Success: true } commit)
                {
                    listing.Commits[Parse(commit.Groups[1].Value)] = path;
                }
                else if (ClassicCheckpointName().Match(name) is { Success: true } classic)
                {
                    listing.Checkpoints.TryAdd(Parse(classic.Groups[1].Value), new CheckpointFiles([path], 1));
                }
                else if (V2CheckpointName().Match(name) is { Success: true } v2)
                {
                    // A UUID-named (v2) checkpoint is preferred over a classic one of the same version.
                    listing.Checkpoints[Parse(v2.Groups[1].Value)] = new CheckpointFiles([path], 1);
                }
                else if (MultiPartCheckpointName().Match(name) is { Success: true } part)
                {
                    var key = (Parse(part.Groups[1].Value), int.Parse(part.Groups[3].Value, CultureInfo.InvariantCulture));
                    if (!multiPart.TryGetValue(key, out var parts))
                    {
                        multiPart[key] = parts = [];
                    }

                    parts[int.Parse(part.Groups[2].Value, CultureInfo.InvariantCulture)] = path;
                }
            }

            foreach (var ((version, count), parts) in multiPart)
            {
                var files = new CheckpointFiles([.. parts.Values], count);
                if (files.IsComplete && parts.Keys.SequenceEqual(Enumerable.Range(1, count)))
                {
                    listing.Checkpoints.TryAdd(version, files);
                }
            }

            return listing;
        }

        private static long Parse(string digits) => long.Parse(digits, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(\d{20})\.json$")]
    private static partial Regex CommitName();

    [GeneratedRegex(@"^(\d{20})\.checkpoint\.parquet$")]
    private static partial Regex ClassicCheckpointName();

    [GeneratedRegex(@"^(\d{20})\.checkpoint\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.(json|parquet)$")]
    private static partial Regex V2CheckpointName();

    [GeneratedRegex(@"^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$")]
    private static partial Regex MultiPartCheckpointName();
}
