using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Recsys.Data;

namespace Recsys.Benchmarks;

/// <summary>
/// Loading the same synthetic ratings (RECSYS_LOAD_RATINGS, default 10 M; 100 k users, 20 k items) from ratings.csv
/// text and from Snappy Parquet (what <c>recsys generate --out x.parquet</c> writes), each into an
/// <see cref="InteractionDataset"/>. The files are generated once into a temporary directory.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 7)]
public class LoadBenchmarks
{
    private string _directory = null!;
    private string _csv = null!;
    private string _parquet = null!;

    [GlobalSetup]
    public void Setup()
    {
        var ratings = int.Parse(Environment.GetEnvironmentVariable("RECSYS_LOAD_RATINGS") ?? "10000000", CultureInfo.InvariantCulture);
        _directory = Directory.CreateTempSubdirectory("recsys-load-").FullName;
        var generator = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 100_000, Items = 20_000, Interactions = ratings });
        _csv = Path.Combine(_directory, "ratings.csv");
        using (var writer = new StreamWriter(_csv))
        {
            generator.WriteCsv(writer);
        }

        _parquet = Path.Combine(_directory, "ratings.parquet");
        generator.WriteParquet(_parquet);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Baseline = true)]
    public int Csv() => InteractionReader.Read(_csv, DelimitedFormat.MovieLensRatings, BadRowPolicy.Fail).Dataset.Count;

    [Benchmark]
    public int Parquet() => InteractionSource.ReadAsync(_parquet).GetAwaiter().GetResult().Dataset.Count;
}
