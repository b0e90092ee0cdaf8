using Parquet;
using Parquet.Schema;

namespace Recsys.Data.Tests;

/// <summary>
/// Files a reader meets in a real folder: a page whose compressed bytes are damaged, a truncated file, a file of
/// another format with a .parquet name. Each error names the file (and for a page, the row group and column).
/// </summary>
public sealed class ParquetCorruptionTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("recsys-corrupt-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Delete(recursive: true);

    [Theory]
    [InlineData(CompressionMethod.Gzip, new byte[] { 0x1F, 0x8B, 0x08 })]
    [InlineData(CompressionMethod.Zstd, new byte[] { 0x28, 0xB5, 0x2F, 0xFD })]
    public async Task DamagedPage_NamesFileRowGroupAndColumn(CompressionMethod codec, byte[] frameMagic)
    {
        var path = Path.Combine(_work.FullName, $"ratings-{codec}.parquet");
        await WriteAsync(path, codec, rows: 20_000);
        var bytes = await File.ReadAllBytesAsync(path, Ct);

        // Damage the first compressed page's stream just after its frame's magic number: the first column's page.
        var frame = bytes.AsSpan().IndexOf(frameMagic);
        Assert.True(frame > 0, $"no {codec} frame in the file");
        for (var i = frame + frameMagic.Length + 2; i < frame + frameMagic.Length + 42; i++)
        {
            bytes[i] ^= 0x5A;
        }

        await File.WriteAllBytesAsync(path, bytes, Ct);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => InteractionSource.ReadAsync(path, cancellationToken: Ct));

        Assert.StartsWith($"{path}: row group 0, column 'userId' cannot be read (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedOrForeignFileInAFolder_IsNamed()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_work.FullName, "parts")).FullName;
        await WriteAsync(Path.Combine(folder, "part-0.parquet"), CompressionMethod.Snappy, rows: 1_000);
        var whole = await File.ReadAllBytesAsync(Path.Combine(folder, "part-0.parquet"), Ct);
        var truncated = Path.Combine(folder, "part-1.parquet");
        await File.WriteAllBytesAsync(truncated, whole[..(whole.Length / 2)], Ct);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => InteractionSource.ReadAsync(folder, cancellationToken: Ct));
        Assert.Contains(truncated, error.Message, StringComparison.Ordinal);

        File.Delete(truncated);
        var foreign = Path.Combine(folder, "part-2.parquet");
        await File.WriteAllTextAsync(foreign, "userId,movieId,rating,timestamp\n1,2,3.5,4\n", Ct);
        error = await Assert.ThrowsAsync<InvalidDataException>(() => InteractionSource.ReadAsync(folder, cancellationToken: Ct));
        Assert.Contains(foreign, error.Message, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<InvalidDataException>(() => InteractionSource.DescribeAsync(folder, cancellationToken: Ct));
        Assert.Contains(foreign, error.Message, StringComparison.Ordinal);

        // First in the folder's order, the file whose schema names the columns: named too.
        File.Move(foreign, Path.Combine(folder, "a-first.parquet"));
        error = await Assert.ThrowsAsync<InvalidDataException>(() => InteractionSource.ReadAsync(folder, cancellationToken: Ct));
        Assert.Contains(Path.Combine(folder, "a-first.parquet"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeltaTable_WhoseFileIsNotParquet_NamesTheFile_WhenItsRowsAreCounted()
    {
        // An add action without numRecords makes the reader count the file's rows from its footer.
        var table = Directory.CreateDirectory(Path.Combine(_work.FullName, "table")).FullName;
        var file = Path.Combine(table, "part-0.parquet");
        await File.WriteAllTextAsync(file, "not parquet at all", Ct);
        await WriteLogAsync(table, """{"add":{"path":"part-0.parquet","partitionValues":{},"size":18,"modificationTime":1700000000000,"dataChange":true}}""");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => InteractionSource.DescribeAsync(table, cancellationToken: Ct));

        Assert.True(error.Message.Contains(file, StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public async Task DeltaLog_WithAValueOfTheWrongKind_IsDescribedInJsonTerms_NotDotNetTypes()
    {
        var table = Directory.CreateDirectory(Path.Combine(_work.FullName, "bad-json")).FullName;
        await WriteLogAsync(table, """{"add":{"path":"part-0.parquet","partitionValues":{},"size":"big","modificationTime":1700000000000,"dataChange":true}}""");

        var error = await Assert.ThrowsAsync<DeltaTableException>(() => InteractionSource.DescribeAsync(table, cancellationToken: Ct));

        Assert.Contains("00000000000000000000.json, line 3 is not a valid action: the value at $.add.size, character ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(" is not an integer", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error.Message, StringComparison.Ordinal);
    }

    // A one-commit log: protocol, metaData (userId, movieId, rating) and the given add action.
    private static async Task WriteLogAsync(string table, string add)
    {
        var log = Directory.CreateDirectory(Path.Combine(table, "_delta_log")).FullName;
        var schema = System.Text.Json.JsonSerializer.Serialize(new
        {
            type = "struct",
            fields = new object[]
            {
                new { name = "userId", type = "integer", nullable = true, metadata = new { } },
                new { name = "movieId", type = "integer", nullable = true, metadata = new { } },
                new { name = "rating", type = "float", nullable = true, metadata = new { } },
            },
        });
        await File.WriteAllLinesAsync(Path.Combine(log, "00000000000000000000.json"),
        [
            """{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}""",
            System.Text.Json.JsonSerializer.Serialize(new { metaData = new { id = "t", format = new { provider = "parquet", options = new { } }, schemaString = schema, partitionColumns = Array.Empty<string>(), configuration = new { }, createdTime = 1700000000000L } }),
            add,
        ], Ct);
    }

    private static async Task WriteAsync(string path, CompressionMethod codec, int rows)
    {
        var user = new DataField<int>("userId");
        var item = new DataField<int>("movieId");
        var rating = new DataField<float>("rating");
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(user, item, rating), stream, new ParquetOptions { CompressionMethod = codec }, cancellationToken: Ct);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<int>(user, new ReadOnlyMemory<int>([.. Enumerable.Range(0, rows).Select(i => (i * 7919) % 5_003)]), null, null, Ct);
        await group.WriteAsync<int>(item, new ReadOnlyMemory<int>([.. Enumerable.Range(0, rows).Select(i => (i * 104_729) % 3_001)]), null, null, Ct);
        await group.WriteAsync<float>(rating, new ReadOnlyMemory<float>([.. Enumerable.Range(0, rows).Select(i => 1 + (i % 5))]), null, null, Ct);
    }
}
