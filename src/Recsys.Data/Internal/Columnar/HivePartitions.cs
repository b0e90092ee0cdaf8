using System.Globalization;
using Recsys.Data.Internal.Delta;

namespace Recsys.Data.Internal.Columnar;

// Hive-style partition folders (what Spark, DuckDB and pyarrow write by default: root/userId=1/day=2024-01-02/part-0.parquet):
// each key=value folder between the root and a file is a column with that value for every row of the file. Names and
// values are URL-decoded as those writers escape them; __HIVE_DEFAULT_PARTITION__ is null. Folders carry no types, so a
// column's type is inferred from all its values as Spark does (integer, then long, double, date, boolean, else string)
// and each value is then parsed exactly as a Delta partition value of that type is.
internal sealed class HivePartitions
{
    public const string DefaultPartition = "__HIVE_DEFAULT_PARTITION__";

    private readonly Dictionary<string, IReadOnlyDictionary<string, object?>> _values;

    private HivePartitions(IReadOnlyList<DeltaField> columns, Dictionary<string, IReadOnlyDictionary<string, object?>> values)
    {
        Columns = columns;
        _values = values;
    }

    // The partition columns in folder order, typed (Delta type names: integer, long, double, date, boolean, string).
    public IReadOnlyList<DeltaField> Columns { get; }

    private static readonly IReadOnlyDictionary<string, object?> NoValues = new Dictionary<string, object?>();

    public IReadOnlyDictionary<string, object?> ValuesOf(string file) => _values.TryGetValue(file, out var values) ? values : NoValues;

    public static HivePartitions Infer(string root, IReadOnlyList<string> files)
    {
        var raw = new List<(string File, List<(string Name, string? Value)> Keys)>(files.Count);
        foreach (var file in files)
        {
            var folders = Storage.FileStore.For(root).FoldersBetween(root, file);
            var keys = new List<(string, string?)>();
            foreach (var folder in folders)
            {
                var equals = folder.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    var value = Uri.UnescapeDataString(folder[(equals + 1)..]);
                    keys.Add((Uri.UnescapeDataString(folder[..equals]), value == DefaultPartition ? null : value));
                }
            }

            raw.Add((file, keys));
        }

        if (raw.Count == 0 || raw.All(r => r.Keys.Count == 0))
        {
            return new HivePartitions([], []);
        }

        var names = raw[0].Keys.Select(k => k.Name).ToList();
        foreach (var (file, keys) in raw)
        {
            if (!keys.Select(k => k.Name).SequenceEqual(names, StringComparer.Ordinal))
            {
                throw new InvalidDataException(
                    $"{file}: its partition folders are ({string.Join(", ", keys.Select(k => k.Name))}) but those of {raw[0].File} are ({string.Join(", ", names)}); every file of a Hive-partitioned folder sits under the same keys in the same order.");
            }
        }

        var columns = names.Select((name, k) => new DeltaField(name, TypeOf(raw.Select(r => r.Keys[k].Value)), Nullable: true, name, null)).ToList();
        var values = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var (file, keys) in raw)
        {
            values[file] = columns.Select((c, k) => (c.Name, Value: DeltaSchema.ParsePartitionValue(keys[k].Value, c, root)))
                .ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        }

        return new HivePartitions(columns, values);
    }

    // The narrowest type every value parses as; all null is string.
    private static string TypeOf(IEnumerable<string?> values)
    {
        var present = values.Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();
        var invariant = CultureInfo.InvariantCulture;
        return present.Count == 0 ? "string"
            : present.All(v => int.TryParse(v, NumberStyles.AllowLeadingSign, invariant, out _)) ? "integer"
            : present.All(v => long.TryParse(v, NumberStyles.AllowLeadingSign, invariant, out _)) ? "long"
            : present.All(v => double.TryParse(v, NumberStyles.Float, invariant, out _)) ? "double"
            : present.All(v => DateOnly.TryParseExact(v, "yyyy-MM-dd", invariant, DateTimeStyles.None, out _)) ? "date"
            : present.All(v => v is "true" or "false") ? "boolean"
            : "string";
    }
}
