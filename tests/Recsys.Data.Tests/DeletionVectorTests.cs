using System.Text.Json;
using Recsys.Data.Internal.Delta;

namespace Recsys.Data.Tests;

public sealed class DeletionVectorTests
{
    [Fact]
    public void InlineVector_FromTheProtocolsExample_DeletesItsRows()
    {
        // PROTOCOL.md, "JSON Example 3 — Inline": "The row indexes encoded in this DV are: 3, 4, 7, 11, 18, 29."
        var descriptor = new DeltaDeletionVectorAction
        {
            StorageType = "i",
            PathOrInlineDv = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L",
            SizeInBytes = 40,
            Cardinality = 6,
        };
        Assert.Equal([3L, 4, 7, 11, 18, 29], DeletionVectors.Read(descriptor, "/unused", "table"));
    }

    [Fact]
    public void CardinalityMismatch_IsRefused()
    {
        var descriptor = new DeltaDeletionVectorAction
        {
            StorageType = "i",
            PathOrInlineDv = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L",
            SizeInBytes = 40,
            Cardinality = 7,
        };
        var refused = Assert.Throws<DeltaTableException>(() => DeletionVectors.Read(descriptor, "/unused", "table"));
        Assert.Contains("holds 6 rows but its descriptor says 7", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownStorageType_IsRefused()
    {
        var descriptor = new DeltaDeletionVectorAction { StorageType = "x", PathOrInlineDv = "abc", SizeInBytes = 1 };
        Assert.Contains("storage type 'x'", Assert.Throws<DeltaTableException>(() => DeletionVectors.Read(descriptor, "/unused", "table")).Message, StringComparison.Ordinal);
    }

    // What delta-kernel-rs writes for row 3 (a portable RoaringBitmapArray of 34 bytes): its z85 crate ends the text
    // with a short group, "##093" (two '#' for two missing bytes, then the bytes 03 00). Read as a full group it wraps
    // past 2^32 and deleted row 28168 instead.
    private const string KernelRow3 = "^Bg9^0rr910000000000iXQKl0rr91000005c8Xg##093";

    [Fact]
    public void InlineVector_WithDeltaKernelRsTailPadding_DeletesItsRow()
    {
        var descriptor = new DeltaDeletionVectorAction { StorageType = "i", PathOrInlineDv = KernelRow3, SizeInBytes = 34, Cardinality = 1 };
        Assert.Equal([3L], DeletionVectors.Read(descriptor, "/unused", "table"));
    }

    [Theory]
    [InlineData("%nSc1", "decodes to 4294967296")] // 2^32: one more than "%nSc0"
    [InlineData("#####", "starts with '#'")]
    [InlineData("##09300000", "starts with '#'")] // padding before the last group
    [InlineData("##%nS", "more than its 2 byte(s) hold")]
    public void Z85Text_ThatIsNotZ85_IsRefused_NotWrapped(string text, string expected)
    {
        var refused = Assert.Throws<DeltaTableException>(() => DeletionVectors.Z85Decode(text, "table"));
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeltaTable_WithAKernelInlineVector_DropsRow3_NotRow28168()
    {
        // The table as delta-kernel-rs leaves it: one file of 30,000 rows (user i at row i) and an add action whose
        // inline deletion vector deletes row 3.
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("recsys-dv-");
        try
        {
            var rows = Enumerable.Range(0, 30_000).Select(i => new DeltaTestTables.Rating(i, i % 500, 1 + (i % 5), 1_700_000_000L + i)).ToList();
            var size = await DeltaTestTables.WriteParquetAsync(Path.Combine(directory.FullName, "part-0.parquet"), rows, rowGroupSize: 10_000, ct);
            var log = Directory.CreateDirectory(Path.Combine(directory.FullName, "_delta_log")).FullName;
            var schema = """{"type":"struct","fields":[{"name":"userId","type":"integer","nullable":true,"metadata":{}},{"name":"movieId","type":"integer","nullable":true,"metadata":{}},{"name":"rating","type":"double","nullable":true,"metadata":{}},{"name":"timestamp","type":"long","nullable":true,"metadata":{}}]}""";
            await File.WriteAllLinesAsync(Path.Combine(log, "00000000000000000000.json"),
            [
                """{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}}""",
                JsonSerializer.Serialize(new { metaData = new { id = "kernel-dv", format = new { provider = "parquet", options = new { } }, schemaString = schema, partitionColumns = Array.Empty<string>(), configuration = new { }, createdTime = 1700000000000L } }),
                JsonSerializer.Serialize(new
                {
                    add = new
                    {
                        path = "part-0.parquet", partitionValues = new { }, size, modificationTime = 1700000000000L, dataChange = true,
                        deletionVector = new { storageType = "i", pathOrInlineDv = KernelRow3, sizeInBytes = 34, cardinality = 1L },
                    },
                }),
            ], ct);

            var read = await InteractionSource.ReadAsync(directory.FullName, cancellationToken: ct);

            var users = read.Dataset.Users.ToHashSet(StringComparer.Ordinal);
            Assert.Equal(29_999, read.Dataset.Count);
            Assert.DoesNotContain("3", users);
            Assert.Contains("28168", users);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
