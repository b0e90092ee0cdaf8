using Recsys.Data;

namespace Recsys.Benchmarks;

/// <summary>The data the benchmarks train on: the fixed MovieLens split (never copied into the repository) and synthetic sets.</summary>
public static class BenchmarkData
{
    /// <summary>Reads ml-latest-small's splits/train-80.csv from RECSYS_MOVIELENS_DIR or ../shared/data/ml-latest-small above the working directory.</summary>
    public static InteractionDataset MovieLensTrain()
    {
        var configured = Environment.GetEnvironmentVariable("RECSYS_MOVIELENS_DIR");
        var directory = !string.IsNullOrEmpty(configured) ? configured : Find();
        var path = directory is null ? null : Path.Combine(directory, "splits", "train-80.csv");
        if (path is null || !File.Exists(path))
        {
            throw new InvalidOperationException("MovieLens latest-small was not found: set RECSYS_MOVIELENS_DIR or run from a checkout next to ../shared/data/ml-latest-small.");
        }

        return MovieLens.ReadRatings(path).Dataset;
    }

    public static InteractionDataset Synthetic(int users, int items, int interactions) =>
        new SyntheticDataGenerator(new SyntheticDataOptions { Users = users, Items = items, Interactions = interactions, Seed = 42 }).GenerateDataset();

    /// <summary>Synthetic data of <paramref name="interactions"/> interactions over n/100 users and max(2,000, n/500) items.</summary>
    public static InteractionDataset SyntheticOfSize(int interactions) => Synthetic(interactions / 100, Math.Max(2_000, interactions / 500), interactions);

    private static string? Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "ml-latest-small");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
