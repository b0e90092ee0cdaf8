using System.Diagnostics;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Evaluation;

/// <summary>
/// The streaming protocol of real-time fold-in: users held out of training entirely arrive with their first
/// interactions and are scored on what they do next. For each held-out user, the older half of their interactions (by
/// time) is what they "posted"; the newer half is the test. Three answers are measured on the same users: (a) the
/// model's cold-start ranking (what a user unknown to the model gets without fold-in), (b) the same model folding the
/// posted half in (<see cref="IFoldInRecommender"/>), and (c) a model retrained with the posted halves included (the
/// upper bound a retrain reaches). The posted items are excluded from all three lists, as a host excludes them.
/// </summary>
public static class FoldInEvaluation
{
    /// <summary>Runs the protocol.</summary>
    /// <param name="trainer">The algorithm (trained twice: without the held-out users, and with their posted halves).</param>
    /// <param name="data">All the interactions.</param>
    /// <param name="options">How many users, the seed, the cut-off and the relevance threshold.</param>
    /// <param name="cancellationToken">Cancels the fits and the ranking.</param>
    /// <returns>The NDCG of each answer, averaged over the held-out users with at least one relevant test interaction.</returns>
    /// <exception cref="ArgumentException">The data has fewer eligible users than asked for.</exception>
    public static FoldInResult Evaluate(IRecommenderTrainer trainer, InteractionDataset data, FoldInOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // Users with enough interactions for both halves, drawn with the seed.
        var offsets = data.UserOffsets.ToArray();
        var eligible = Enumerable.Range(0, data.Users.Count).Where(u => offsets[u + 1] - offsets[u] >= options.MinInteractions).ToArray();
        if (eligible.Length < options.Users)
        {
            throw new ArgumentException($"Only {eligible.Length} users have at least {options.MinInteractions} interactions; {options.Users} are to be held out.", nameof(data));
        }

        var random = new Random(unchecked((int)options.Seed));
        random.Shuffle(eligible);
        var heldOut = eligible[..options.Users];
        Array.Sort(heldOut);
        var isHeldOut = new bool[data.Users.Count];
        foreach (var u in heldOut)
        {
            isHeldOut[u] = true;
        }

        // Each held-out user's rows by time (ties in row order): the older half posted, the newer half tested.
        var timestamps = data.RowTimestamps.ToArray();
        var posted = new Dictionary<int, int[]>();
        var tested = new Dictionary<int, int[]>();
        foreach (var u in heldOut)
        {
            var rows = Enumerable.Range(offsets[u], offsets[u + 1] - offsets[u]).OrderBy(r => timestamps[r]).ThenBy(r => r).ToArray();
            var half = (rows.Length + 1) / 2;
            posted[u] = rows[..half];
            tested[u] = rows[half..];
        }

        var others = Enumerable.Range(0, data.Count).Where(r => !isHeldOut[data.RowUsers[r]]).ToArray();
        var without = data.Subset(others);
        var with = data.Subset([.. others, .. heldOut.SelectMany(u => posted[u])]);
        var model = trainer.Fit(without, null, cancellationToken);
        var retrained = trainer.Fit(with, null, cancellationToken);
        var folding = model as IFoldInRecommender;

        double popularity = 0, foldIn = 0, upper = 0;
        var evaluated = 0;
        var foldedIn = 0;
        var foldInTicks = 0L;
        var buffer = new ScoredItem[options.K];
        var ranked = new int[options.K];
        foreach (var u in heldOut)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var relevantIds = tested[u].Where(r => data.RowValues[r] >= options.RelevanceThreshold).Select(r => data.Items[data.RowItems[r]]).ToHashSet(StringComparer.Ordinal);
            if (relevantIds.Count == 0)
            {
                continue;
            }

            evaluated++;
            var postedIds = posted[u].Select(r => data.Items[data.RowItems[r]]).ToArray();
            var postedValues = posted[u].Select(r => data.RowValues[r]).ToArray();

            // (a) and (b) on the model that never saw the user; (c) on the retrained one, which learned the posted half.
            popularity += Ndcg(model, -1, postedIds, postedValues, fold: false);
            var started = Stopwatch.GetTimestamp();
            foldIn += Ndcg(model, -1, postedIds, postedValues, fold: true);
            foldInTicks += Stopwatch.GetTimestamp() - started;
            upper += Ndcg(retrained, retrained.Users.IndexOf(data.Users[u]), postedIds, postedValues, fold: false);

            double Ndcg(IRecommender m, int user, string[] history, float[] values, bool fold)
            {
                var excluded = history.Select(id => m.Items.IndexOf(id)).Where(i => i >= 0).ToHashSet();
                var filter = new RecommendationFilter { ExcludedItems = excluded };
                int written;
                if (fold && folding is { SupportsFoldIn: true })
                {
                    var items = new List<int>();
                    var given = new List<float>();
                    for (var k = 0; k < history.Length; k++)
                    {
                        if (m.Items.TryGetIndex(history[k], out var index))
                        {
                            items.Add(index);
                            given.Add(values[k]);
                        }
                    }

                    bool used;
                    (written, used) = folding.RecommendFromHistory(user, items.ToArray(), given.ToArray(), buffer, filter);
                    foldedIn += used ? 1 : 0;
                }
                else
                {
                    written = m.Recommend(user, buffer, filter);
                }

                for (var k = 0; k < written; k++)
                {
                    ranked[k] = buffer[k].Item;
                }

                return RankingMetrics.Compute(ranked.AsSpan(0, written), item => relevantIds.Contains(m.Items[item]), relevantIds.Count, options.K).Ndcg;
            }
        }

        return new FoldInResult
        {
            Algorithm = model.Algorithm,
            HeldOutUsers = heldOut.Length,
            EvaluatedUsers = evaluated,
            FoldedInUsers = foldedIn,
            K = options.K,
            PopularityNdcg = evaluated == 0 ? double.NaN : popularity / evaluated,
            FoldInNdcg = evaluated == 0 ? double.NaN : foldIn / evaluated,
            RetrainedNdcg = evaluated == 0 ? double.NaN : upper / evaluated,
            FoldInMicroseconds = evaluated == 0 ? double.NaN : foldInTicks * 1e6 / Stopwatch.Frequency / evaluated,
        };
    }
}
