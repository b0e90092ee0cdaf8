using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Recsys.Data.Tests;

/// <summary>Interactions from Parquet files and Delta tables: the same dataset as from the CSV, and clear errors.</summary>
public sealed class InteractionSourceTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("recsys-source-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task DeltaTableOfMovieLens_IsTheCsvMinusTheRemovedFile()
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = MovieLensData.File("ratings.csv");
        var table = await DeltaTestTables.WriteRatingsAsync(csv, _work.FullName, ct);

        Assert.Equal(DataSourceKind.Delta, InteractionSource.Detect(table.Path));
        var latest = await InteractionSource.ReadAsync(table.Path, cancellationToken: ct);
        Assert.Equal(1, latest.SourceVersion);
        Assert.Equal(Sorted(table.Latest), Sorted(latest.Dataset));
        Assert.Equal(0, latest.RowsSkipped);

        var first = await InteractionSource.ReadAsync(table.Path, new InteractionSourceOptions { Version = 0 }, ct);
        Assert.Equal(0, first.SourceVersion);
        Assert.Equal(Sorted(table.Version0), Sorted(first.Dataset));

        // The whole CSV through the CSV reader, minus the rows of the removed file, is the same dataset.
        var fromCsv = MovieLens.ReadRatings(csv);
        var removed = table.Files[1].Select(r => r.ToString()).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Sorted(fromCsv.Dataset).Where(r => !removed.Contains(r)), Sorted(latest.Dataset));

        // Rows added by data-changing commits: all three files (the removal does not subtract).
        Assert.Equal(table.Files.Sum(f => f.Count), DeltaTable.CountAddedRows(table.Path));

        var description = await InteractionSource.DescribeAsync(table.Path, cancellationToken: ct);
        Assert.Equal((DataSourceKind.Delta, 1L, (long)table.Latest.Count()), (description.Kind, description.Version!.Value, description.Rows));
        Assert.Equal(["userId integer", "movieId integer", "rating double", "timestamp long"], description.Columns.Select(c => $"{c.Name} {c.Type}"));
    }

    [Fact]
    public async Task ParquetFolder_IsTheSameDatasetAsTheCsv()
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = MovieLensData.File("ratings.csv");
        var table = await DeltaTestTables.WriteRatingsAsync(csv, _work.FullName, ct);

        // Read as a plain Parquet folder (format forced): every file counts, the Delta log is ignored.
        var read = await InteractionSource.ReadAsync(table.Path, new InteractionSourceOptions { Kind = DataSourceKind.Parquet }, ct);
        Assert.Equal(Sorted(MovieLens.ReadRatings(csv).Dataset), Sorted(read.Dataset));
        Assert.Null(read.SourceVersion);
        var one = await InteractionSource.ReadAsync(Path.Combine(table.Path, "part-0.parquet"), cancellationToken: ct);
        Assert.Equal(Sorted(table.Files[0]), Sorted(one.Dataset));
    }

    [Theory]
    [InlineData(200)] // a byte a value, throughout
    [InlineData(1_000)] // past 256 distinct values the reader turns to floats, in the third row group
    public async Task ParquetFloatValues_FewOrManyDistinct_ReadExactly(int distinct)
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_work.FullName, $"values-{distinct}.parquet");
        var rows = Enumerable.Range(0, 3_000).Select(r => (User: r / 30, Item: r % 30, Value: (r % distinct) * 0.01f)).ToArray();
        var user = new DataField<int>("userId");
        var item = new DataField<int>("movieId");
        var value = new DataField<float>("rating");
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(user, item, value), stream, cancellationToken: ct);
            foreach (var chunk in rows.Chunk(100))
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<int>(user, new ReadOnlyMemory<int>([.. chunk.Select(r => r.User)]), null, null, ct);
                await group.WriteAsync<int>(item, new ReadOnlyMemory<int>([.. chunk.Select(r => r.Item)]), null, null, ct);
                await group.WriteAsync<float>(value, new ReadOnlyMemory<float>([.. chunk.Select(r => r.Value)]), null, null, ct);
            }
        }

        var data = (await InteractionSource.ReadAsync(path, new InteractionSourceOptions { ReadTimestamps = false }, ct)).Dataset;

        Assert.Equal(rows.Length, data.Count);
        var expected = rows.ToDictionary(r => (r.User.ToString(CultureInfo.InvariantCulture), r.Item.ToString(CultureInfo.InvariantCulture)), r => r.Value);
        for (var row = 0; row < data.Count; row++)
        {
            var interaction = data.GetInteraction(row);
            Assert.Equal(expected[(interaction.UserId, interaction.ItemId)], interaction.Value);
            Assert.Equal(interaction.Value, data.RowValues[row]);
            Assert.Equal(interaction.Value, data.GetValue(row));
        }

        Assert.Equal(rows.Average(r => (double)r.Value), data.GlobalMean, 1e-9);
    }

    [Fact]
    public async Task ParquetFolder_WithAFileThatIsNotParquet_NamesThatFile()
    {
        // A truncated upload or a stray file among the parts: Parquet.Net says only "not a parquet file, head: …".
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateDirectory(Path.Combine(_work.FullName, "parts")).FullName;
        await DeltaTestTables.WriteParquetAsync(Path.Combine(folder, "part-0.parquet"), [new DeltaTestTables.Rating(1, 10, 4, 100), new DeltaTestTables.Rating(2, 10, 3, 101)], 10, ct);
        var broken = Path.Combine(folder, "part-1.parquet");
        await File.WriteAllTextAsync(broken, "userId,movieId\n1,2\n", ct);

        var read = await Assert.ThrowsAsync<InvalidDataException>(() => InteractionSource.ReadAsync(folder, cancellationToken: ct));
        var describe = await Assert.ThrowsAsync<InvalidDataException>(() => InteractionSource.DescribeAsync(folder, cancellationToken: ct));

        Assert.StartsWith($"{broken}: cannot be read as Parquet", read.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{broken}: cannot be read as Parquet", describe.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTimestamps_CsvAndParquet_GiveTheSameRowsWithTimestampZero()
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = MovieLensData.File("ratings.csv");
        var table = await DeltaTestTables.WriteRatingsAsync(csv, _work.FullName, ct);
        var full = MovieLens.ReadRatings(csv).Dataset;
        Assert.True(full.HasTimestamps);
        var expected = Sorted(full).Select(r => r[..(r.LastIndexOf(',') + 1)] + "0").Order(StringComparer.Ordinal).ToList();

        var options = new InteractionSourceOptions { ReadTimestamps = false };
        var fromCsv = (await InteractionSource.ReadAsync(csv, options, ct)).Dataset;
        options.Kind = DataSourceKind.Parquet;
        var fromParquet = (await InteractionSource.ReadAsync(table.Path, options, ct)).Dataset;

        foreach (var dataset in new[] { fromCsv, fromParquet })
        {
            Assert.False(dataset.HasTimestamps);
            Assert.Equal(expected, Sorted(dataset));
            Assert.Equal(full.RowUsers.ToArray().Length, dataset.RowUsers.Length);
            Assert.All(dataset.RowTimestamps.ToArray(), t => Assert.Equal(0, t));
            Assert.False(dataset.Subset([0, 1, 2]).HasTimestamps); // reading the zeros above does not make them timestamps
        }

        Assert.True(full.Subset([0, 1, 2]).HasTimestamps);

        // The file is read in blocks of UTF-8; through a TextReader it is the same dataset.
        using var text = new StreamReader(csv);
        Assert.Equal(full.ComputeFingerprint(), InteractionReader.Read(text, csv, DelimitedFormat.MovieLensRatings, BadRowPolicy.Fail).Dataset.ComputeFingerprint());
    }

    [Fact]
    public async Task HivePartitionedFolder_YieldsTypedPartitionColumns()
    {
        // What DuckDB, Spark and pyarrow write: the user id and the day live in the folder names only.
        var ct = TestContext.Current.CancellationToken;
        var root = Directory.CreateDirectory(Path.Combine(_work.FullName, "hive")).FullName;
        async Task WriteAsync(string folder, int[] items, float[] ratings)
        {
            var directory = Directory.CreateDirectory(Path.Combine(root, folder)).FullName;
            var item = new DataField<int>("movieId");
            var rating = new DataField<float>("rating");
            await using var stream = File.Create(Path.Combine(directory, "part-0.parquet"));
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(item, rating), stream, cancellationToken: ct);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<int>(item, new ReadOnlyMemory<int>(items), null, null, ct);
            await group.WriteAsync<float>(rating, new ReadOnlyMemory<float>(ratings), null, null, ct);
        }

        await WriteAsync(Path.Combine("userId=1", "day=2024-01-02"), [10, 11], [4, 5]);
        await WriteAsync(Path.Combine("userId=2", "day=2024-01-03"), [10], [3]);
        await WriteAsync(Path.Combine("userId=__HIVE_DEFAULT_PARTITION__", "day=2024-01-03"), [12], [1]);
        var columns = InteractionColumns.Parse("user=userId,item=movieId,value=rating,timestamp=day");

        var read = await InteractionSource.ReadAsync(root, new InteractionSourceOptions { Columns = columns, BadRows = BadRowPolicy.Skip }, ct);

        Assert.Equal(["1,10,4,1704153600", "1,11,5,1704153600", "2,10,3,1704240000"], Sorted(read.Dataset));
        Assert.Equal(1, read.RowsSkipped); // the default partition is a null user id
        Assert.EndsWith("the user id is null", Assert.Single(read.FirstSkippedRows).Reason, StringComparison.Ordinal);
        var description = await InteractionSource.DescribeAsync(root, cancellationToken: ct);
        Assert.Equal(
            [("movieId", "integer", false), ("rating", "float", false), ("userId", "integer", true), ("day", "date", true)],
            description.Columns.Select(c => (c.Name, c.Type, c.IsPartition)));

        // Escaped names and values are decoded; a value that is no number makes the column a string.
        await WriteAsync(Path.Combine("userId=a%2Fb", "day=2024-01-04"), [13], [2]);
        read = await InteractionSource.ReadAsync(root, new InteractionSourceOptions { Columns = columns, BadRows = BadRowPolicy.Skip }, ct);
        Assert.Contains("a/b,13,2,1704326400", Sorted(read.Dataset));
        Assert.Contains(read.Dataset.Users, u => u == "1");

        // A file outside the keys' folders is named.
        await WriteAsync(".", [14], [1]);
        var mixed = await Assert.ThrowsAsync<InvalidDataException>(() => InteractionSource.ReadAsync(root, new InteractionSourceOptions { Columns = columns }, ct));
        Assert.Contains($"those of {Path.Combine(root, "part-0.parquet")} are ()", mixed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParquetUInt64Ids_AreRead_AsTheirUnsignedValues()
    {
        // Before: "the user column 'userId' is nested (struct, array or map) or of a type Recsys does not read".
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_work.FullName, "uint64.parquet");
        var user = new DataField<ulong>("userId");
        var item = new DataField<ulong>("movieId");
        var rating = new DataField<ulong>("rating");
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(user, item, rating), stream, cancellationToken: ct);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<ulong>(user, new ReadOnlyMemory<ulong>([1, ulong.MaxValue, 9_223_372_036_854_775_808UL]), null, null, ct);
            await group.WriteAsync<ulong>(item, new ReadOnlyMemory<ulong>([7, 7, ulong.MaxValue - 1]), null, null, ct);
            await group.WriteAsync<ulong>(rating, new ReadOnlyMemory<ulong>([5, 4, 3]), null, null, ct);
        }

        var read = await InteractionSource.ReadAsync(path, cancellationToken: ct);

        Assert.Equal(["1,7,5,0", "18446744073709551615,7,4,0", "9223372036854775808,18446744073709551614,3,0"], Sorted(read.Dataset));
        var description = await InteractionSource.DescribeAsync(path, cancellationToken: ct);
        Assert.Contains(description.Columns, c => c.Name == "userId" && c.Type == "unsigned long");
    }

    [Fact]
    public async Task ParquetEmptyIds_AreBadRows_NamedByFileRowAndRowGroup_AndSkippedUnderSkip()
    {
        // Before: "An identifier must not be empty." with no file or row, and --bad-rows skip did not skip it.
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_work.FullName, "empty-ids.parquet");
        var user = new DataField<string>("userId");
        var item = new DataField<string>("movieId");
        var rating = new DataField<float>("rating");
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(user, item, rating), stream, cancellationToken: ct);
            using (var first = writer.CreateRowGroup())
            {
                await first.WriteAsync(user, new[] { "u1", "u2" }, null);
                await first.WriteAsync(item, new[] { "a", "b" }, null);
                await first.WriteAsync<float>(rating, new ReadOnlyMemory<float>([4, 5]), null, null, ct);
            }

            using var second = writer.CreateRowGroup();
            await second.WriteAsync(user, new[] { "u3", "", "u5" }, null);
            await second.WriteAsync(item, new[] { "c", "d", "" }, null);
            await second.WriteAsync<float>(rating, new ReadOnlyMemory<float>([3, 2, 1]), null, null, ct);
        }

        var failed = await Assert.ThrowsAsync<InteractionDataException>(() => InteractionSource.ReadAsync(path, cancellationToken: ct));
        Assert.Equal($"{path}, row 3 (row 1 of row group 1): the user id is empty", failed.Message);

        var skipped = await InteractionSource.ReadAsync(path, new InteractionSourceOptions { BadRows = BadRowPolicy.Skip }, ct);
        Assert.Equal((5L, 2L, 3), (skipped.RowsRead, skipped.RowsSkipped, skipped.Dataset.Count));
        Assert.Equal([$"{path}, row 3 (row 1 of row group 1): the user id is empty", $"{path}, row 4 (row 2 of row group 1): the item id is empty"], skipped.FirstSkippedRows.Select(r => r.Reason));
    }

    [Fact]
    public async Task ParquetBadRows_NameFileRowGroupAndRow_OrAreSkippedAndCounted()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_work.FullName, "bad.parquet");
        var user = new DataField<long?>("user");
        var item = new DataField<string>("item");
        var value = new DataField<float?>("score");
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(user, item, value), stream, cancellationToken: ct);
            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync<long>(user, new ReadOnlyMemory<long?>([1, null, 3, 4]), null, null, ct);
            await rowGroup.WriteAsync(item, new[] { "a", "b", "c", "d" }, null);
            await rowGroup.WriteAsync<float>(value, new ReadOnlyMemory<float?>([5, 4, null, 3]), null, null, ct);
        }

        var columns = InteractionColumns.Parse("user=user,item=item,value=score");
        var failed = await Assert.ThrowsAsync<InteractionDataException>(() => InteractionSource.ReadAsync(path, new InteractionSourceOptions { Columns = columns }, ct));
        Assert.Equal($"{path}, row 1 (row 1 of row group 0): the user id is null", failed.Message);

        var skipped = await InteractionSource.ReadAsync(path, new InteractionSourceOptions { Columns = columns, BadRows = BadRowPolicy.Skip }, ct);
        Assert.Equal((4L, 2L, 2), (skipped.RowsRead, skipped.RowsSkipped, skipped.Dataset.Count));
        Assert.Equal([$"{path}, row 1 (row 1 of row group 0): the user id is null", $"{path}, row 2 (row 2 of row group 0): the value is null"], skipped.FirstSkippedRows.Select(r => r.Reason));

        var scaled = await InteractionSource.ReadAsync(path, new InteractionSourceOptions { Columns = columns, BadRows = BadRowPolicy.Skip, Scale = new RatingScale(1, 4) }, ct);
        Assert.Equal([$"{path}, row 0 (row 0 of row group 0): the rating 5 is outside the scale 1 to 4", $"{path}, row 1 (row 1 of row group 0): the user id is null", $"{path}, row 2 (row 2 of row group 0): the value is null"], scaled.FirstSkippedRows.Select(r => r.Reason));

        var missing = await Assert.ThrowsAsync<InteractionDataException>(() => InteractionSource.ReadAsync(path, cancellationToken: ct));
        Assert.Contains("there is no user column named 'userId' (columns: user long, item string, score float)", missing.Message, StringComparison.Ordinal);
        var wrongType = await Assert.ThrowsAsync<InteractionDataException>(() =>
            InteractionSource.ReadAsync(path, new InteractionSourceOptions { Columns = InteractionColumns.Parse("user=user,item=score,value=score") }, ct));
        Assert.Contains("the item column is float; ids must be integers or strings", wrongType.Message, StringComparison.Ordinal);
    }

    // int32 ids, float values and int64 timestamps are decoded straight into the dataset builder's columns, and rows
    // are then compacted over them: with nulls (packed by Parquet, spread by the reader), bad rows skipped in one row
    // group shifting every later one, and row groups and files following each other, the dataset is still exactly the
    // good rows.
    [Fact]
    public async Task ParquetDecodedInPlace_NullsSkippedRowsAndManyRowGroups_GiveExactlyTheGoodRows()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(20261202);
        var folder = Directory.CreateDirectory(Path.Combine(_work.FullName, "many")).FullName;
        var user = new DataField<int?>("userId");
        var item = new DataField<int>("movieId");
        var value = new DataField<float?>("rating");
        var time = new DataField<long?>("timestamp");
        var expected = new List<string>();
        var bad = 0;
        var pair = 0;
        for (var f = 0; f < 2; f++)
        {
            await using var stream = File.Create(Path.Combine(folder, $"part-{f}.parquet"));
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(user, item, value, time), stream, cancellationToken: ct);
            for (var g = 0; g < 3; g++)
            {
                var rows = random.Next(1, 400);
                var (users, items, values, times) = (new int?[rows], new int[rows], new float?[rows], new long?[rows]);
                for (var r = 0; r < rows; r++)
                {
                    // Distinct (user, item) pairs, so no duplicate resolution is involved.
                    pair++;
                    (users[r], items[r]) = (pair / 7, pair % 7);
                    values[r] = random.Next(1, 11) / 2f;
                    times[r] = random.Next(0, 10) == 0 ? null : 1_000_000 + pair;
                    switch (random.Next(0, 12))
                    {
                        case 0:
                            users[r] = null;
                            break;
                        case 1:
                            values[r] = null;
                            break;
                        case 2:
                            values[r] = 9f;
                            break;
                        case 3:
                            values[r] = float.NaN;
                            break;
                    }

                    if (users[r] is null || values[r] is not { } v || !float.IsFinite(v) || v > 5)
                    {
                        bad++;
                    }
                    else
                    {
                        expected.Add(string.Create(CultureInfo.InvariantCulture, $"{users[r]},{items[r]},{(double)v},{times[r] ?? 0}"));
                    }
                }

                using var rowGroup = writer.CreateRowGroup();
                await rowGroup.WriteAsync<int>(user, users, null, null, ct);
                await rowGroup.WriteAsync<int>(item, items, null, null, ct);
                await rowGroup.WriteAsync<float>(value, values, null, null, ct);
                await rowGroup.WriteAsync<long>(time, times, null, null, ct);
            }
        }

        var read = await InteractionSource.ReadAsync(folder, new InteractionSourceOptions { BadRows = BadRowPolicy.Skip, Scale = new RatingScale(0.5f, 5) }, ct);
        Assert.Equal(expected.Order(StringComparer.Ordinal), Sorted(read.Dataset));
        Assert.Equal((long)bad, read.RowsSkipped);
        Assert.Equal(pair, read.RowsRead);
    }

    [Fact]
    public void Columns_ParseNamesTheBadPart()
    {
        Assert.Equal(new InteractionColumns { User = "u", Item = "i", Value = string.Empty }, InteractionColumns.Parse("user=u, item=i, value="));
        Assert.Contains("'colour' is not a column key", Assert.Throws<FormatException>(() => InteractionColumns.Parse("colour=x")).Message, StringComparison.Ordinal);
        Assert.Contains("'user' is not key=column", Assert.Throws<FormatException>(() => InteractionColumns.Parse("user")).Message, StringComparison.Ordinal);

        // Before, the last of two won silently.
        Assert.Contains("The user column is given twice ('user=a' and 'user=b')", Assert.Throws<FormatException>(() => InteractionColumns.Parse("user=a,item=i,user=b")).Message, StringComparison.Ordinal);
        Assert.Contains("The value column is given twice ('value=x' and 'rating=y')", Assert.Throws<FormatException>(() => InteractionColumns.Parse("user=u,value=x,rating=y")).Message, StringComparison.Ordinal);
    }

    private static List<string> Sorted(IEnumerable<DeltaTestTables.Rating> rows) =>
        [.. rows.Select(r => r.ToString()).Order(StringComparer.Ordinal)];

    private static List<string> Sorted(InteractionDataset dataset) =>
        [.. dataset.EnumerateInteractions()
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.UserId},{i.ItemId},{(double)i.Value},{i.Timestamp}"))
            .Order(StringComparer.Ordinal)];
}
