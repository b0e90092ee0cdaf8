using System.Diagnostics;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Evaluation;

/// <summary>
/// Evaluates recommenders on held-out data, unsampled: every held-out interaction is predicted, and every ranked
/// user's top K is chosen from all of the model's items except the user's training items.
/// </summary>
/// <remarks>
/// <para>Rating metrics (RMSE, MAE) include held-out interactions of users or items the model never saw; they get
/// the model's fallback prediction, and <see cref="EvaluationResult.UnknownUserRatings"/> and
/// <see cref="EvaluationResult.UnknownItemRatings"/> say how many there were.</para>
/// <para>Ranking metrics average over the held-out users with at least one relevant item (value ≥ the threshold),
/// unknown users included (they get the model's cold-start ranking). Relevant held-out items the model does not
/// know still count as relevant: they lower recall and NDCG, as they would in production.</para>
/// </remarks>
public static class Evaluator
{
    /// <summary>Evaluates a trained model on held-out interactions.</summary>
    /// <param name="model">The model.</param>
    /// <param name="test">The held-out interactions, matched to the model by user and item identifiers.</param>
    /// <param name="options">The settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Checked while ranking.</param>
    /// <returns>The metrics.</returns>
    public static EvaluationResult Evaluate(IRecommender model, InteractionDataset test, EvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new EvaluationOptions();
        options.Validate();

        // Map the held-out identifiers onto the model's indices once.
        var userMap = test.Users.MapTo(model.Users);
        var itemMap = test.Items.MapTo(model.Items);

        var errors = RatingErrors(model, test, userMap, itemMap);
        var ranking = Rank(model, test, userMap, itemMap, options, cancellationToken);
        return errors with
        {
            K = options.K,
            RelevanceThreshold = options.RelevanceThreshold,
            RankedUsers = ranking.Users,
            PrecisionAtK = ranking.Mean.Precision,
            RecallAtK = ranking.Mean.Recall,
            NdcgAtK = ranking.Mean.Ndcg,
            MapAtK = ranking.Mean.AveragePrecision,
            HitRateAtK = ranking.Mean.Hit,
            Coverage = ranking.Coverage,
            RecommendSeconds = ranking.Seconds,
        };
    }

    /// <summary>
    /// Measures only the rating errors (RMSE, MAE) of a trained model on held-out interactions: for a catalog or a
    /// test set too large to rank every held-out user's items. The ranking metrics of the result are
    /// <see cref="double.NaN"/>, its <see cref="EvaluationResult.RankedUsers"/> 0.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="test">The held-out interactions, matched to the model by user and item identifiers.</param>
    /// <returns>The rating errors; a pair with an unknown user or item is predicted as the model predicts it (its fallback) and counted.</returns>
    public static EvaluationResult EvaluateRatings(IRecommender model, InteractionDataset test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        return RatingErrors(model, test, test.Users.MapTo(model.Users), test.Items.MapTo(model.Items));
    }

    /// <summary>Trains a model on a split's training set, timing it, and evaluates it on the split's test set.</summary>
    /// <param name="trainer">The trainer.</param>
    /// <param name="split">The split.</param>
    /// <param name="options">The settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Passed to the trainer and checked while ranking.</param>
    /// <returns>The metrics, with <see cref="EvaluationResult.FitSeconds"/> set.</returns>
    public static EvaluationResult FitAndEvaluate(IRecommenderTrainer trainer, DataSplit split, EvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(split);
        var start = Stopwatch.GetTimestamp();
        var model = trainer.Fit(split.Train, cancellationToken);
        var fitSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return Evaluate(model, split.Test, options, cancellationToken) with { FitSeconds = fitSeconds };
    }

    /// <summary>Trains and evaluates on every fold and averages the metrics.</summary>
    /// <param name="trainer">The trainer.</param>
    /// <param name="folds">The folds, for example from <see cref="DataSplitter.KFold"/>.</param>
    /// <param name="options">The settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Passed to the trainer and checked while ranking.</param>
    /// <returns>The per-fold results and their mean.</returns>
    public static CrossValidationResult CrossValidate(IRecommenderTrainer trainer, IReadOnlyList<DataSplit> folds, EvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(folds);
        if (folds.Count == 0)
        {
            throw new ArgumentException("At least one fold is needed.", nameof(folds));
        }

        var results = new EvaluationResult[folds.Count];
        for (var f = 0; f < folds.Count; f++)
        {
            results[f] = FitAndEvaluate(trainer, folds[f], options, cancellationToken);
        }

        return new CrossValidationResult(results);
    }

    // The rating errors, in a result whose ranking metrics are NaN (Evaluate fills them in).
    private static EvaluationResult RatingErrors(
        IRecommender model, InteractionDataset test, int[] userMap, int[] itemMap)
    {
        var n = test.Count;
        var users = new int[n];
        var items = new int[n];
        var unknownUsers = 0;
        var unknownItems = 0;
        var rowUsers = test.RowUsers;
        var rowItems = test.RowItems;
        for (var row = 0; row < n; row++)
        {
            users[row] = userMap[rowUsers[row]];
            items[row] = itemMap[rowItems[row]];
            unknownUsers += users[row] < 0 ? 1 : 0;
            unknownItems += items[row] < 0 ? 1 : 0;
        }

        var predictions = new float[n];
        var start = Stopwatch.GetTimestamp();
        model.Predict(users, items, predictions);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var squared = 0.0;
        var absolute = 0.0;
        var actual = test.RowValues;
        for (var row = 0; row < n; row++)
        {
            var error = (double)predictions[row] - actual[row];
            squared += error * error;
            absolute += Math.Abs(error);
        }

        return new EvaluationResult
        {
            Algorithm = model.Algorithm,
            Rmse = n == 0 ? double.NaN : Math.Sqrt(squared / n),
            Mae = n == 0 ? double.NaN : absolute / n,
            RatingCount = n,
            UnknownUserRatings = unknownUsers,
            UnknownItemRatings = unknownItems,
            K = 0,
            RelevanceThreshold = double.NaN,
            RankedUsers = 0,
            PrecisionAtK = double.NaN,
            RecallAtK = double.NaN,
            NdcgAtK = double.NaN,
            MapAtK = double.NaN,
            HitRateAtK = double.NaN,
            Coverage = double.NaN,
            PredictSeconds = seconds,
            RecommendSeconds = 0,
        };
    }

    private static (int Users, RankingMetrics Mean, double Coverage, double Seconds) Rank(
        IRecommender model, InteractionDataset test, int[] userMap, int[] itemMap, EvaluationOptions options, CancellationToken cancellationToken)
    {
        var k = options.K;
        var threshold = options.RelevanceThreshold;
        var ranked = new List<int>();
        for (var u = 0; u < test.Users.Count; u++)
        {
            foreach (var value in test.GetUserValues(u))
            {
                if (value >= threshold)
                {
                    ranked.Add(u);
                    break;
                }
            }
        }

        var perUser = new RankingMetrics[ranked.Count];
        var recommended = new bool[model.Items.Count];
        var start = Stopwatch.GetTimestamp();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        Parallel.For(
            0,
            ranked.Count,
            parallel,
            () => (List: new ScoredItem[k], Items: new int[k], Relevant: new HashSet<int>()),
            (index, _, buffers) =>
            {
                var testUser = ranked[index];
                var relevant = buffers.Relevant;
                relevant.Clear();
                var relevantCount = 0;
                var testItems = test.GetUserItems(testUser);
                var testValues = test.GetUserValues(testUser);
                for (var j = 0; j < testItems.Length; j++)
                {
                    if (testValues[j] >= threshold)
                    {
                        relevantCount++;
                        var modelItem = itemMap[testItems[j]];
                        if (modelItem >= 0)
                        {
                            relevant.Add(modelItem);
                        }
                    }
                }

                var written = model.Recommend(userMap[testUser], buffers.List, RecommendationFilter.Default);
                for (var j = 0; j < written; j++)
                {
                    buffers.Items[j] = buffers.List[j].Item;

                    // Racing writes all store true; the flag is read after the loop completes.
                    recommended[buffers.List[j].Item] = true;
                }

                perUser[index] = RankingMetrics.Compute(buffers.Items.AsSpan(0, written), relevant.Contains, relevantCount, k);
                return buffers;
            },
            static _ => { });
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        if (perUser.Length == 0)
        {
            return (0, new RankingMetrics(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN), 0, seconds);
        }

        double precision = 0, recall = 0, ndcg = 0, map = 0, hit = 0;
        foreach (var m in perUser)
        {
            precision += m.Precision;
            recall += m.Recall;
            ndcg += m.Ndcg;
            map += m.AveragePrecision;
            hit += m.Hit;
        }

        var count = perUser.Length;
        var covered = recommended.Count(static x => x);
        var coverage = model.Items.Count == 0 ? 0 : (double)covered / model.Items.Count;
        return (count, new RankingMetrics(precision / count, recall / count, ndcg / count, map / count, hit / count), coverage, seconds);
    }
}
