using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.AspNetCore;
using Recsys.Factorization;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Benchmarks;

/// <summary>
/// The serving path below HTTP: one top-10 request (seen items excluded) through <c>RecommendationService</c> as
/// <c>AddRecommender()</c> wires it (SQLite registry, HybridCache), for implicit ALS (64 factors) trained on the
/// MovieLens split; a cache hit against the same request computed every time (cache off).
/// </summary>
[MemoryDiagnoser]
public class ServingBenchmarks
{
    private ServiceProvider _services = null!;
    private RecommendationService _service = null!;
    private RecommendationQuery _query = null!;
    private string _directory = null!;

    [Params(true, false)]
    public bool Cached { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("recsys-bench-").FullName;
        var model = new ImplicitAlsTrainer(new ImplicitAlsOptions { Rank = 64, Iterations = 15 }).Fit(BenchmarkData.MovieLensTrain());
        using (var registry = (IDisposable)ModelRegistries.OpenSqlite(_directory))
        {
            using var buffer = new MemoryStream();
            ModelFile.Write(buffer, model);
            var version = await ((IModelRegistry)registry).RegisterVersionAsync("bench", new NewModelVersion { Trainer = model.Algorithm }, buffer.ToArray(), default);
            await ((IModelRegistry)registry).TransitionStageAsync("bench", version.Version, ModelStage.Production, archiveExisting: true, "bench", null, default);
        }

        var services = new ServiceCollection().AddLogging();
        services.AddRecommender(o =>
        {
            o.ModelName = "bench";
            o.CacheDuration = Cached ? TimeSpan.FromMinutes(10) : TimeSpan.Zero;
        }).AddSqliteRegistry(_directory);
        _services = services.BuildServiceProvider();
        var provider = _services.GetRequiredService<ModelProvider>();
        await provider.StartAsync(default);
        await provider.Started;
        _service = _services.GetRequiredService<RecommendationService>();
        _query = new RecommendationQuery("1", 10, ExcludeSeen: true, Algorithm: null, [], [], [], MinScore: null);
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
