using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Factorization;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Serving;

namespace Recsys.Benchmarks;

/// <summary>
/// The serving path below HTTP: one top-10 request (seen items excluded) through <see cref="IRecommendationService"/> as
/// <c>AddRecsys().UseSqlite(…).AddServing()</c> wires it (SQLite registry, HybridCache), for implicit ALS (64 factors) trained on the
/// MovieLens split; a cache hit against the same request computed every time (cache off).
/// </summary>
[MemoryDiagnoser]
public class ServingBenchmarks
{
    private ServiceProvider _services = null!;
    private IRecommendationService _service = null!;
    private RecommendationQuery _query = null!;
    private string _directory = null!;

    [Params(true, false)]
    public bool Cached { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("recsys-bench-").FullName;
        var model = new ImplicitAlsTrainer(new ImplicitAlsOptions { Rank = 64, Iterations = 15 }).Fit(BenchmarkData.MovieLensTrain());
        await using (var registry = ModelRegistries.OpenSqlite(_directory))
        {
            using var buffer = new MemoryStream();
            ModelFile.Write(buffer, model);
            var version = await registry.RegisterVersionAsync("bench", new NewModelVersion { Trainer = model.Algorithm }, buffer.ToArray(), default);
            await registry.TransitionStageAsync("bench", version.Version, ModelStage.Production, archiveExisting: true, "bench", null, default);
        }

        var services = new ServiceCollection().AddLogging();
        services.AddRecsys().UseSqlite(_directory).AddServing(o =>
        {
            o.ModelName = "bench";
            o.CacheDuration = Cached ? TimeSpan.FromMinutes(10) : TimeSpan.Zero;
        });
        _services = services.BuildServiceProvider();
        var provider = _services.GetRequiredService<ModelProvider>();
        await provider.StartAsync(default);
        await provider.Started;
        _service = _services.GetRequiredService<IRecommendationService>();
        _query = new RecommendationQuery { UserId = "1", Count = 10 };
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _services.GetRequiredService<ModelProvider>().StopAsync(default);
        await _services.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "top-10 for a known user (ALS 64 factors, 9 k items)")]
    public async Task<int> Recommend() => (await _service.RecommendAsync(_query, default)).Recommendations.Count;
}
