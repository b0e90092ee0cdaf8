namespace Recsys.Data.Tests;

/// <summary><see cref="InteractionSource.SpoolAsync"/>: a source read to disk has the ids, rows and bad rows a read into memory has; its holdout is a fixed set of pairs.</summary>
public sealed class SpoolTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("recsys-spool-tests-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task CsvAndParquet_SpoolTheIdsAndRowsTheReadHas_AndTheSameHeldOutPairs()
    {
        var generator = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 300, Items = 200, Interactions = 20_000, Seed = 4 });
        var csv = Path.Combine(_work.FullName, "ratings.csv");
        using (var writer = new StreamWriter(csv))
        {
            generator.WriteCsv(writer, cancellationToken: Ct);
        }

        var parquet = Path.Combine(_work.FullName, "ratings.parquet");
        generator.WriteParquet(parquet, cancellationToken: Ct);
        var read = (await InteractionSource.ReadAsync(csv, cancellationToken: Ct)).Dataset;
        var folder = Path.Combine(_work.FullName, "spools");

        using var fromCsv = await InteractionSource.SpoolAsync(csv, folder, holdoutFraction: 0.25, holdoutSeed: 7, cancellationToken: Ct);
        using var fromParquet = await InteractionSource.SpoolAsync(parquet, folder, holdoutFraction: 0.25, holdoutSeed: 7, cancellationToken: Ct);
        using var whole = await InteractionSource.SpoolAsync(parquet, folder, cancellationToken: Ct);

        Assert.Equal(read.Users, whole.Users);
        Assert.Equal(read.Items, whole.Items);
        Assert.Equal(read.Count + read.DuplicatesDropped, whole.Count);
        Assert.Equal(whole.Count, whole.RowsRead);
        Assert.Null(whole.Holdout);
        foreach (var spool in (InteractionSpool[])[fromCsv, fromParquet])
        {
            var holdout = spool.Holdout!;
            Assert.Equal(whole.Count, spool.Count + holdout.Count + holdout.DuplicatesDropped);
            Assert.InRange(holdout.Count, read.Count * 0.25 - (4 * Math.Sqrt(read.Count * 0.1875)), read.Count * 0.25 + (4 * Math.Sqrt(read.Count * 0.1875)));
        }

        // The held-out pairs depend on the ids and the seed, not on the format read.
        Assert.Equal(Pairs(fromCsv.Holdout!), Pairs(fromParquet.Holdout!));
        Assert.Equal(fromCsv.Fingerprint, fromParquet.Fingerprint);
        Assert.Equal(fromCsv.Fingerprint, whole.Fingerprint); // of every row read, held out or not
        Assert.Equal(3, Directory.GetDirectories(folder, "recsys-spool-*").Length);
    }

    [Fact]
    public async Task Fingerprint_IsTheSameForTheSameRows_AndDiffersWhenAValueDoes()
    {
        var a = Write("a.csv", "userId,movieId,rating,timestamp\n1,10,4.0,1\n2,10,3.5,2\n");
        var b = Write("b.csv", "userId,movieId,rating,timestamp\n1,10,4.0,5\n2,10,3.5,6\n");
        var c = Write("c.csv", "userId,movieId,rating,timestamp\n1,10,4.0,1\n2,10,3.0,2\n");
        var folder = Path.Combine(_work.FullName, "spools");

        using var first = await InteractionSource.SpoolAsync(a, folder, cancellationToken: Ct);
        using var second = await InteractionSource.SpoolAsync(b, folder, cancellationToken: Ct);
        using var third = await InteractionSource.SpoolAsync(c, folder, cancellationToken: Ct);

        Assert.Equal(first.Fingerprint, second.Fingerprint); // timestamps are not spooled
        Assert.NotEqual(first.Fingerprint, third.Fingerprint);
    }

    [Fact]
    public async Task BadRow_FailsNamingTheLine_AndLeavesNoSpoolBehind()
    {
        var path = Write("bad.csv", "userId,movieId,rating,timestamp\n1,10,4.0,1\n2,10,1e10,2\n");
        var folder = Path.Combine(_work.FullName, "spools");

        var error = await Assert.ThrowsAsync<InteractionDataException>(() => InteractionSource.SpoolAsync(path, folder, cancellationToken: Ct));

        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("outside the scale", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task BadRow_UnderSkip_IsCountedAndNamed()
    {
        var path = Write("skip.csv", "userId,movieId,rating,timestamp\n1,10,4.0,1\n2,10,1e10,2\n3,11,2.0,3\n");

        using var spool = await InteractionSource.SpoolAsync(path, Path.Combine(_work.FullName, "spools"), new InteractionSourceOptions { BadRows = BadRowPolicy.Skip }, cancellationToken: Ct);

        Assert.Equal((3L, 1L, 2L), (spool.RowsRead, spool.RowsSkipped, spool.Count));
        Assert.Contains("line 3", Assert.Single(spool.FirstSkippedRows).Reason, StringComparison.Ordinal);
        Assert.Equal(["1", "3"], spool.Users);
    }

    private static List<(string User, string Item)> Pairs(InteractionDataset data) =>
        [.. Enumerable.Range(0, data.Count).Select(r => (data.Users[data.RowUsers[r]], data.Items[data.RowItems[r]])).Order()];

    private string Write(string name, string text)
    {
        var path = Path.Combine(_work.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }
}
