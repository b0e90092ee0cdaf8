using System.Globalization;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Recsys.Tests.Shared;

/// <summary>
/// Writes MovieLens ratings as a small Delta table in a scratch directory: three Parquet files (a third of the rows
/// each, in file order) and a hand-written log of two commits. Version 0 adds files 0 and 1; version 1 adds file 2
/// and removes file 1. The table is written per test and deleted with the scratch directory, never kept in the repo.
/// </summary>
internal static class DeltaTestTables
{
    public sealed record Table(string Path, IReadOnlyList<Rating>[] Files)
    {
        public IEnumerable<Rating> Latest => Files[0].Concat(Files[2]);

        public IEnumerable<Rating> Version0 => Files[0].Concat(Files[1]);
    }

    public sealed record Rating(int User, int Item, double Value, long Timestamp)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{User},{Item},{Value},{Timestamp}");
    }

    public static async Task<Table> WriteRatingsAsync(string ratingsCsv, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var rows = File.ReadLines(ratingsCsv).Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var f = l.Split(',');
            return new Rating(int.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture));
        }).ToList();
        var third = (rows.Count + 2) / 3;
        var files = new IReadOnlyList<Rating>[3];
        var sizes = new long[3];
        for (var i = 0; i < 3; i++)
        {
            files[i] = rows.Skip(i * third).Take(third).ToList();
            sizes[i] = await WriteParquetAsync(Path.Combine(directory, $"part-{i}.parquet"), files[i], rowGroupSize: 10_000, cancellationToken);
        }

        var log = Directory.CreateDirectory(Path.Combine(directory, "_delta_log")).FullName;
        var schema = JsonSerializer.Serialize(new
        {
            type = "struct",
            fields = new object[]
            {
                new { name = "userId", type = "integer", nullable = true, metadata = new { } },
                new { name = "movieId", type = "integer", nullable = true, metadata = new { } },
                new { name = "rating", type = "double", nullable = true, metadata = new { } },
                new { name = "timestamp", type = "long", nullable = true, metadata = new { } },
            },
        });
        string Add(int i) => JsonSerializer.Serialize(new
        {
            add = new { path = $"part-{i}.parquet", partitionValues = new { }, size = sizes[i], modificationTime = 1700000000000L, dataChange = true, stats = $"{{\"numRecords\":{files[i].Count}}}" },
        });
        await File.WriteAllLinesAsync(Path.Combine(log, "00000000000000000000.json"),
        [
            """{"commitInfo":{"timestamp":1700000000000,"operation":"WRITE"}}""",
            """{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}""",
            JsonSerializer.Serialize(new { metaData = new { id = "recsys-test", format = new { provider = "parquet", options = new { } }, schemaString = schema, partitionColumns = Array.Empty<string>(), configuration = new { }, createdTime = 1700000000000L } }),
            Add(0),
            Add(1),
        ], cancellationToken);
        await File.WriteAllLinesAsync(Path.Combine(log, "00000000000000000001.json"),
        [
            """{"commitInfo":{"timestamp":1700000100000,"operation":"DELETE"}}""",
            """{"remove":{"path":"part-1.parquet","deletionTimestamp":1700000100000,"dataChange":true}}""",
            Add(2),
        ], cancellationToken);
        return new Table(directory, files);
    }

    public static async Task<long> WriteParquetAsync(string path, IReadOnlyList<Rating> rows, int rowGroupSize, CancellationToken cancellationToken)
    {
        var user = new DataField<int>("userId");
        var item = new DataField<int>("movieId");
        var value = new DataField<double>("rating");
        var timestamp = new DataField<long>("timestamp");
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(user, item, value, timestamp), stream, cancellationToken: cancellationToken);
            for (var start = 0; start < rows.Count; start += rowGroupSize)
            {
                var group = rows.Skip(start).Take(rowGroupSize).ToList();
                using var rowGroup = writer.CreateRowGroup();
                await rowGroup.WriteAsync<int>(user, new ReadOnlyMemory<int>([.. group.Select(r => r.User)]), null, null, cancellationToken);
                await rowGroup.WriteAsync<int>(item, new ReadOnlyMemory<int>([.. group.Select(r => r.Item)]), null, null, cancellationToken);
                await rowGroup.WriteAsync<double>(value, new ReadOnlyMemory<double>([.. group.Select(r => r.Value)]), null, null, cancellationToken);
                await rowGroup.WriteAsync<long>(timestamp, new ReadOnlyMemory<long>([.. group.Select(r => r.Timestamp)]), null, null, cancellationToken);
            }
        }

        return new FileInfo(path).Length;
    }
}
