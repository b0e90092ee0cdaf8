using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Recsys.Recommenders;

namespace Recsys.Benchmarks;

/// <summary>
/// The item index side of scripts/ann-compare.sh: loads a model, writes its item vectors (factors with the item bias
/// as one more column), a sample of its users as queries (with 1 for the bias column) and their exact top 10 as raw
/// little-endian files for the FAISS and hnswlib script, then measures Recsys' index on the same queries: build time
/// and memory, and for a sweep of probes the recall@10 against the exact top 10 and the queries a second on one
/// thread. Not BenchmarkDotNet: a recall/speed sweep is one run over thousands of queries per setting.
/// </summary>
internal static class AnnComparison
{
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: Recsys.Benchmarks ann MODEL_FILE OUT_DIR [QUERIES]");
            return 2;
        }

        var (modelPath, outDir) = (args[0], args[1]);
        var queryCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
        Directory.CreateDirectory(outDir);
        var model = ModelFile.Load(modelPath).Model as FactorModel ?? throw new InvalidOperationException($"{modelPath} holds no factor model.");
        var p = model.Parts;
        var (items, rank) = (model.Items.Count, p.Rank);
        var bias = p.ItemBias ?? new float[items];

        // Item vectors [q_i, b_i] and queries [p_u, 1]: an inner product is the model's score less the user's constant.
        var vectors = new float[(long)items * (rank + 1)];
        for (var i = 0; i < items; i++)
        {
            p.ItemFactors.AsSpan(i * rank, rank).CopyTo(vectors.AsSpan(i * (rank + 1), rank));
            vectors[(i * (rank + 1)) + rank] = bias[i];
        }

        var random = new Random(20261207);
        var users = Enumerable.Range(0, model.Users.Count).OrderBy(_ => random.Next()).Take(queryCount).ToArray();
        var queries = new float[users.Length * (rank + 1)];
        for (var q = 0; q < users.Length; q++)
        {
            p.UserFactor(users[q]).CopyTo(queries.AsSpan(q * (rank + 1), rank));
            queries[(q * (rank + 1)) + rank] = 1f;
        }

        // The exact top 10 of each query, by the exact kernel over every item.
        var truth = new int[users.Length * 10];
        var scores = new float[items];
        var top = new ScoredItem[10];
        for (var q = 0; q < users.Length; q++)
        {
            ScoreKernel.Scores(p.ItemFactors, rank, p.UserFactor(users[q]), bias, 0f, scores);
            TopN.Select(scores, top, RecommendationFilter.None);
            for (var k = 0; k < 10; k++)
            {
                truth[(q * 10) + k] = top[k].Item;
            }
        }

        File.WriteAllBytes(Path.Combine(outDir, "items.f32"), MemoryMarshal.AsBytes(vectors.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(outDir, "queries.f32"), MemoryMarshal.AsBytes(queries.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(outDir, "truth.i32"), MemoryMarshal.AsBytes(truth.AsSpan()).ToArray());
        File.WriteAllText(Path.Combine(outDir, "shape.txt"), $"{items} {rank + 1} {users.Length}\n");

        // Build, timed and measured (the managed heap after a full collection, before and after).
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var index = FactorIndex.Build(p.ItemFactors, p.ItemBias, rank, p.UserFactors, FactorModel.IndexSeed);
        var buildSeconds = clock.Elapsed.TotalSeconds;
        var memory = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(index);

        Console.WriteLine("system,setting,recall_at_10,queries_per_s,build_s,index_mib");
        var probes = new SortedSet<int> { index.Probe };
        for (var probe = 1.0; probe <= index.Lists; probe *= 1.25)
        {
            probes.Add((int)Math.Round(probe));
        }

        foreach (var probe in probes.Where(x => x <= Math.Max(index.Probe * 3, 64)))
        {
            var (recall, qps) = Measure(users.Length, truth, (q, destination) => index.Search(p.UserFactor(users[q]), 0f, probe, destination));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"recsys-ivf,lists={index.Lists} (largest {index.ListCounts.ToArray().Max()} items) probe={probe}{(probe == index.Probe ? " (calibrated)" : string.Empty)},{recall:F4},{qps:F0},{buildSeconds:F2},{memory / 1048576.0:F1}"));
        }

        // The served path: the model's own top N (the index at its calibrated probe, exact re-ranking, no exclusion).
        var served = Measure(users.Length, truth, (q, destination) => model.Recommend(users[q], destination, RecommendationFilter.None));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"recsys-served,probe={model.Index?.Probe} exact re-rank,{served.Recall:F4},{served.Qps:F0},,"));
        return 0;
    }

    private static (double Recall, double Qps) Measure(int queries, int[] truth, Func<int, ScoredItem[], int> search)
    {
        var result = new ScoredItem[10];
        for (var q = 0; q < Math.Min(queries, 100); q++)
        {
            search(q, result); // warm-up: tiered compilation, caches
        }

        var found = 0;
        var clock = Stopwatch.StartNew();
        for (var q = 0; q < queries; q++)
        {
            var n = search(q, result);
            var expected = truth.AsSpan(q * 10, 10);
            for (var k = 0; k < n; k++)
            {
                if (expected.Contains(result[k].Item))
                {
                    found++;
                }
            }
        }

        return ((double)found / (queries * 10), queries / clock.Elapsed.TotalSeconds);
    }
}
