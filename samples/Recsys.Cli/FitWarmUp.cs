using System.Globalization;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Cli;

/// <summary>
/// Compiles a fit's code on the idle core while the data is read: a fresh process spends most of its first fit's extra
/// time in the JIT (docs/performance.md, "First fit in a fresh process"), and reading a file leaves one of two cores idle, so the
/// same algorithm with the same settings is fitted on a small synthetic set meanwhile, and the real fit then runs
/// compiled code. Measured as a whole process (<c>scripts/first-fit.sh</c> prints its wall clock beside the fits).
/// </summary>
internal static class FitWarmUp
{
    /// <summary>Above this rank the fit itself dwarfs its compilation, and the warm-up set would have to grow with it.</summary>
    private const int MaxRank = 256;

    /// <summary>
    /// Starts fitting a trainer made by <paramref name="trainer"/> on a small synthetic set on a thread-pool thread;
    /// nothing to do on a single core (it would only slow the read) or past <see cref="MaxRank"/>.
    /// </summary>
    /// <param name="trainer">Makes a trainer with the same algorithm and settings as the real fit's (not the same instance).</param>
    /// <param name="rank">The rank the settings ask for, if any.</param>
    /// <param name="cancellationToken">Stops the warm-up with the command.</param>
    /// <returns>The warm-up; pass it to <see cref="Finish"/> before the real fit starts.</returns>
    public static Task Start(Func<IRecommenderTrainer> trainer, int? rank, CancellationToken cancellationToken)
    {
        if (Environment.ProcessorCount < 2 || rank > MaxRank)
        {
            return Task.CompletedTask;
        }

        // Twice the rank in users and four times in items: every rank-k factorization (truncated SVD needs k below
        // both) has room, and the fit's own arithmetic stays a few milliseconds; its compilation is the point.
        var users = Math.Max(rank ?? 64, 64) * 2;
        return Task.Run(() => trainer().Fit(Dataset(users, items: users * 2), progress: null, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Waits for the warm-up, so that the real fit's time is its own (measured: waiting, then fitting compiled code,
    /// takes the whole process as long as stopping the warm-up when the read ends or letting it run beside the fit).
    /// Its failure does not fail the command (the real fit, on the real data, reports its own errors) but is said on
    /// standard error, since the fit then runs cold.
    /// </summary>
    /// <param name="warmUp">What <see cref="Start"/> returned.</param>
    public static void Finish(Task warmUp)
    {
        try
        {
            warmUp.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"recsys: warming up the fit on synthetic data failed ({e.GetType().Name}: {e.Message}); the fit runs without it.");
        }
    }

    /// <summary>
    /// Users with 8–47 ratings each on the half-star scale, items chosen with a popularity skew (the square of a
    /// uniform draw), the values a user's and an item's offset plus noise: enough structure that every algorithm runs
    /// its whole fit (each user and item with several ratings), from a fixed seed.
    /// </summary>
    internal static InteractionDataset Dataset(int users, int items)
    {
        var builder = new InteractionDatasetBuilder(users * 28);
        for (var u = 0; u < users; u++)
        {
            builder.AddUser(string.Create(CultureInfo.InvariantCulture, $"u{u}"));
        }

        for (var i = 0; i < items; i++)
        {
            builder.AddItem(string.Create(CultureInfo.InvariantCulture, $"i{i}"));
        }

        var state = 0x9E3779B97F4A7C15UL;
        double Next()
        {
            // xorshift64*: a fixed, dependency-free stream.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            return ((state * 0x2545F4914F6CDD1DUL) >> 11) * (1.0 / (1UL << 53));
        }

        for (var u = 0; u < users; u++)
        {
            var count = 8 + (int)(Next() * 40);
            var userOffset = (Next() * 2) - 1;
            for (var r = 0; r < count; r++)
            {
                // Every item is rated at least once (the first users cover them in turn), the rest are skewed.
                var item = (u * 8) + r < items && r < 8 ? (u * 8) + r : (int)(Next() * Next() * items);
                var value = 3.5 + userOffset + ((item % 7) - 3) * 0.25 + ((Next() * 2) - 1);
                builder.Add(u, item, (float)(Math.Clamp(Math.Round(value * 2), 1, 10) / 2), 1_000_000_000L + (u * 100) + r);
            }
        }

        return builder.BuildAndClear();
    }
}
