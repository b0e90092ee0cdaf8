using System.Buffers;
using System.Numerics.Tensors;

namespace Recsys.Recommenders;

/// <summary>
/// The model every built-in algorithm produces: <c>r̂(u,i) = global + b_u + b_i + p_u · q_i</c>, with optional
/// biases, rank 0 for bias-only models, and a non-personalized item score for unknown users (or for everyone, for
/// popularity-style models).
/// </summary>
internal sealed partial class FactorModel : RecommenderBase, IItemSimilarity
{
    private float[]? _itemNorms;
    private FactorScreen? _screen;
    private bool _screenBuilt;

    public FactorModel(string algorithm, string parameters, TrainingFootprint training, FactorModelParts parts)
        : base(algorithm, training)
    {
        parts.Validate(training.Users.Count, training.Items.Count);
        Parameters = parameters;
        Parts = parts;

        // A large catalog gets its item index with the model (a file written before indexes gets one when read).
        Index = parts.Index ?? (IndexApplies(parts, training.Items.Count)
            ? FactorIndex.Build(parts.ItemFactors, parts.ItemBias, parts.Rank, parts.UserFactors, IndexSeed)
            : null);
    }

    /// <summary>The seed of the item index's k-means (fixed: the same model always gets the same index).</summary>
    internal const ulong IndexSeed = 20261207;

    /// <summary>The approximate top-N index of a large catalog (<see cref="FactorIndex.MinItems"/> items or more), or null.</summary>
    public FactorIndex? Index { get; }

    internal static bool IndexApplies(FactorModelParts parts, int items) =>
        items >= FactorIndex.MinItems && parts.Rank > 0 && !parts.NonPersonalized;

    /// <summary>The trainer's options as JSON, kept in model files.</summary>
    public string Parameters { get; }

    public FactorModelParts Parts { get; }

    /// <remarks>
    /// A pair the model knows fully gets the model's formula. With an unknown user or item, biased models give the
    /// global mean plus the known side's bias; models without biases give the training mean (never 0 clamped to the
    /// lowest rating). Preference models (not clamped: implicit ALS) give 0, "no preference".
    /// </remarks>
    public override float Predict(int user, int item)
    {
        var p = Parts;
        var knownUser = (uint)user < (uint)Users.Count;
        var knownItem = (uint)item < (uint)Items.Count;
        var x = p.Global;
        if (!(knownUser && knownItem) && p.ClampPredictions && p.UserBias is null && p.ItemBias is null)
        {
            x = Training.MeanValue;
        }

        if (knownUser && p.UserBias is not null)
        {
            x += p.UserBias[user];
        }

        if (knownItem && p.ItemBias is not null)
        {
            x += p.ItemBias[item];
        }

        if (knownUser && knownItem && p.Rank > 0)
        {
            x += TensorPrimitives.Dot(p.UserFactor(user), p.ItemFactor(item));
        }

        return p.ClampPredictions ? Clamp(x) : (float)x;
    }

    public int SimilarItems(int item, Span<ScoredItem> destination, RecommendationFilter? filter = null)
    {
        var p = Parts;
        if ((uint)item >= (uint)Items.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"Item index {item} is outside 0 … {Items.Count - 1}.");
        }

        if (p.Rank == 0)
        {
            throw new NotSupportedException($"The {Algorithm} model has no item factors to compare items with.");
        }

        var norms = _itemNorms ??= ItemNorms(p);
        var buffer = TopN.Rent(Items.Count);
        try
        {
            var scores = buffer.AsSpan(0, Items.Count);
            ScoreKernel.Scores(p.ItemFactors, p.Rank, p.ItemFactor(item), scores);
            var own = norms[item];
            for (var i = 0; i < scores.Length; i++)
            {
                var denominator = own * norms[i];
                scores[i] = denominator > 0 ? scores[i] / denominator : 0f;
            }

            scores[item] = float.NaN;
            return TopN.Select(scores, destination, filter ?? RecommendationFilter.None);
        }
        finally
        {
            TopN.Return(buffer);
        }
    }

    protected override void ScoreItems(int user, Span<float> scores)
    {
        var p = Parts;
        if (p.NonPersonalized)
        {
            p.ColdScores.CopyTo(scores);
            return;
        }

        var offset = (float)(p.Global + (p.UserBias is null ? 0 : p.UserBias[user]));
        if (p.Rank > 0)
        {
            ScoreKernel.Scores(p.ItemFactors, p.Rank, p.UserFactor(user), p.ItemBias, offset, scores);
            return;
        }

        scores.Fill(offset);
        if (p.ItemBias is not null)
        {
            TensorPrimitives.Add(scores, p.ItemBias, scores);
        }
    }

    /// <summary>The exact top N through the screen (see <see cref="FactorScreen"/>), when it applies.</summary>
    protected override bool TryRecommendScreened(int user, Span<float> scores, Span<ScoredItem> destination, RecommendationFilter filter, out int written)
    {
        written = 0;
        var p = Parts;
        // A minimum score applies to exact scores, which the screen does not have for every item: the full path.
        if (p.NonPersonalized || p.Rank == 0 || destination.IsEmpty || filter.MinScore is not null)
        {
            return false;
        }

        var vector = p.UserFactor(user);
        var offset = (float)(p.Global + (p.UserBias is null ? 0 : p.UserBias[user]));
        if (Index is { } index && TryRecommendIndexed(index, user, vector, offset, destination, filter, out written))
        {
            return true;
        }

        if (Screen() is not { } screen)
        {
            return false;
        }

        // The approximate scores stay in the copy's row order (scores[r] is item RowItems[r]; item r when the rows are
        // the items'), and only the rows scored are selected from. Rows in descending ‖q‖ (FactorScreen.Ordered): score
        // the first eighth, select, and score on only as far as an item can still reach the threshold those give
        // (FactorScreen.End); the rows never scored are never read. Otherwise every row in one pass.
        var rows = screen.Rows;
        var rowItems = screen.RowItems;
        var itemRows = screen.ItemRows;
        var first = screen.Ordered ? Math.Min(rows, (rows / 8 / FactorScreen.BlockRows + 1) * FactorScreen.BlockRows) : rows;
        var delta = screen.RowScores(vector, offset, scores[..first], 0);
        if (!(delta < 1e30))
        {
            // Not finite, or scores so large that float overflow is near and the rounding bound no longer holds.
            return false;
        }

        MarkSeenRows(user, scores[..first], itemRows, filter);
        var approximate = TopN.SelectRows(scores[..first], rowItems, destination, filter);
        var end = first == rows ? rows
            : approximate < destination.Length ? rows
            : screen.End(vector, offset, delta, FactorScreen.Threshold(destination[approximate - 1].Score, delta), first);
        if (end > first)
        {
            // The same request, so the same δ; a later item only raises the N-th best approximate score.
            screen.RowScores(vector, offset, scores[first..end], first);
            MarkSeenRows(user, scores[..end], itemRows, filter);
            approximate = TopN.SelectRows(scores[..end], rowItems, destination, filter);
        }

        // More candidates than 1/16 of the items and the screen does not pay (each costs a block of four): the full pass.
        var items = scores.Length;
        var limit = items / 16;
        var pooled = ArrayPool<int>.Shared.Rent(limit);
        var pooledScores = ArrayPool<float>.Shared.Rent(limit);
        try
        {
            var candidates = pooled.AsSpan(0, limit);
            int count;
            if (approximate < destination.Length)
            {
                // Fewer admitted items than asked for: they are all in the list already.
                count = approximate <= limit ? approximate : -1;
                for (var k = 0; k < count; k++)
                {
                    candidates[k] = destination[k].Item;
                }
            }
            else
            {
                count = FactorScreen.Candidates(scores[..end], FactorScreen.Threshold(destination[approximate - 1].Score, delta), candidates);
                if (!rowItems.IsEmpty)
                {
                    for (var k = 0; k < count; k++)
                    {
                        candidates[k] = rowItems[candidates[k]];
                    }
                }
            }

            if (count < 0)
            {
                return false;
            }

            var exact = pooledScores.AsSpan(0, count);
            ExactScores(candidates[..count], vector, offset, exact);
            written = TopN.SelectAmong(candidates[..count], exact, destination, filter);
            return true;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pooledScores);
            ArrayPool<int>.Shared.Return(pooled);
        }
    }

    /// <summary>
    /// The top N through the item index (see <see cref="FactorIndex"/>): scan the best lists, select the top N + 3 of
    /// their scores with the filter (training items excluded as NaN), add the items of the factors' last partial block
    /// of four, re-score all exactly and select the top N. False (the exact paths answer) when the scanned lists hold
    /// fewer admitted items than asked for, so a narrow filter never gets a short list.
    /// </summary>
    private bool TryRecommendIndexed(FactorIndex index, int user, ReadOnlySpan<float> vector, float offset, Span<ScoredItem> destination, RecommendationFilter filter, out int written)
    {
        written = 0;
        var probe = index.Probe;
        var capacity = index.Rows(probe);
        var rowScores = ArrayPool<float>.Shared.Rent(capacity);
        var rowItems = ArrayPool<int>.Shared.Rent(capacity);
        var lists = ArrayPool<int>.Shared.Rent(probe);
        var wanted = destination.Length + 3;
        var tail = Items.Count % 4;
        var approximate = ArrayPool<ScoredItem>.Shared.Rent(wanted);
        var candidates = ArrayPool<int>.Shared.Rent(wanted + tail);
        var exact = ArrayPool<float>.Shared.Rent(wanted + tail);
        try
        {
            var rows = index.Scan(vector, offset, probe, lists.AsSpan(0, probe), rowScores, rowItems);
            var seen = filter.ExcludeSeen ? Training.Seen(user) : [];
            index.MarkItems(seen, lists.AsSpan(0, probe), rowScores.AsSpan(0, rows));
            var found = TopN.SelectRows(rowScores.AsSpan(0, rows), rowItems.AsSpan(0, rows), approximate.AsSpan(0, wanted), filter);
            if (found < destination.Length)
            {
                return false;
            }

            var count = 0;
            foreach (var scored in approximate.AsSpan(0, found))
            {
                candidates[count++] = scored.Item;
            }

            for (var item = Items.Count - tail; item < Items.Count; item++)
            {
                if (seen.IndexOf(item) < 0 && candidates.AsSpan(0, count).IndexOf(item) < 0)
                {
                    candidates[count++] = item;
                }
            }

            ExactScores(candidates.AsSpan(0, count), vector, offset, exact.AsSpan(0, count));
            written = TopN.SelectAmong(candidates.AsSpan(0, count), exact.AsSpan(0, count), destination, filter);
            return true;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(exact);
            ArrayPool<int>.Shared.Return(candidates);
            ArrayPool<ScoredItem>.Shared.Return(approximate);
            ArrayPool<int>.Shared.Return(lists);
            ArrayPool<int>.Shared.Return(rowItems);
            ArrayPool<float>.Shared.Return(rowScores);
        }
    }

    /// <summary>
    /// Exact scores of some items, each from the kernel's own block of four (or the tail item alone), so they are the
    /// bits a full pass would write.
    /// </summary>
    private void ExactScores(ReadOnlySpan<int> candidates, ReadOnlySpan<float> vector, float offset, Span<float> exact)
    {
        var p = Parts;
        var items = Items.Count;
        Span<float> block = stackalloc float[4];
        var fullBlocks = items - (items % 4);
        for (var k = 0; k < candidates.Length; k++)
        {
            var item = candidates[k];
            var start = item < fullBlocks ? item - (item % 4) : item;
            var length = item < fullBlocks ? 4 : 1;
            ScoreKernel.Scores(
                p.ItemFactors.AsSpan(start * p.Rank, length * p.Rank),
                p.Rank,
                vector,
                p.ItemBias is null ? [] : p.ItemBias.AsSpan(start, length),
                offset,
                block[..length]);
            exact[k] = block[item - start];
        }
    }

    /// <summary>
    /// <see cref="RecommenderBase.MarkSeen"/> for scores in a screen's row order (<paramref name="itemRows"/>: the row
    /// of each item, empty when rows are items): the user's training items among the given rows become NaN.
    /// </summary>
    private void MarkSeenRows(int user, Span<float> rowScores, ReadOnlySpan<int> itemRows, RecommendationFilter filter)
    {
        if (!filter.ExcludeSeen)
        {
            return;
        }

        foreach (var seen in Training.Seen(user))
        {
            var row = itemRows.IsEmpty ? seen : itemRows[seen];
            if (row < rowScores.Length)
            {
                rowScores[row] = float.NaN;
            }
        }
    }

    private FactorScreen? Screen()
    {
        if (!Volatile.Read(ref _screenBuilt))
        {
            // Built once on first use; two requests racing both build the same screen and one is kept.
            var p = Parts;
            _screen = FactorScreen.Create(p.ItemFactors, p.Rank, Items.Count, p.ItemBias);
            Volatile.Write(ref _screenBuilt, true);
        }

        return _screen;
    }

    /// <summary>Non-personalized models give an unknown user their own ranking; the others, the shared popularity policy.</summary>
    protected override void ScoreItemsForUnknownUser(Span<float> scores)
    {
        if (Parts.NonPersonalized)
        {
            Parts.ColdScores.CopyTo(scores);
        }
        else
        {
            base.ScoreItemsForUnknownUser(scores);
        }
    }

    private static float[] ItemNorms(FactorModelParts p)
    {
        var norms = new float[p.ItemFactors.Length / p.Rank];
        for (var i = 0; i < norms.Length; i++)
        {
            norms[i] = TensorPrimitives.Norm(p.ItemFactor(i));
        }

        return norms;
    }
}

/// <summary>The numbers of a <see cref="FactorModel"/>.</summary>
internal sealed class FactorModelParts
{
    /// <summary>The constant term (the global mean for biased models, 0 for pure factor models).</summary>
    public double Global { get; init; }

    public float[]? UserBias { get; init; }

    public float[]? ItemBias { get; init; }

    public int Rank { get; init; }

    /// <summary>Users × rank, row-major.</summary>
    public float[] UserFactors { get; init; } = [];

    /// <summary>Items × rank, row-major.</summary>
    public float[] ItemFactors { get; init; } = [];

    /// <summary>The ranking score of every item for an unknown user.</summary>
    public required float[] ColdScores { get; init; }

    /// <summary>Whether every user gets <see cref="ColdScores"/> (popularity, global mean).</summary>
    public bool NonPersonalized { get; init; }

    /// <summary>Whether predictions are clamped to the training value range (explicit ratings).</summary>
    public bool ClampPredictions { get; init; } = true;

    /// <summary>The item index read from a model file, or null (the model builds one when its catalog needs it).</summary>
    public FactorIndex? Index { get; init; }

    public ReadOnlySpan<float> UserFactor(int user) => UserFactors.AsSpan(user * Rank, Rank);

    public ReadOnlySpan<float> ItemFactor(int item) => ItemFactors.AsSpan(item * Rank, Rank);

    public void Validate(int users, int items)
    {
        if (Rank < 0
            || UserFactors.Length != (long)users * Rank
            || ItemFactors.Length != (long)items * Rank
            || (UserBias is not null && UserBias.Length != users)
            || (ItemBias is not null && ItemBias.Length != items)
            || ColdScores.Length != items)
        {
            throw new ArgumentException($"The model's arrays do not match {users} users, {items} items and rank {Rank}.");
        }
    }
}
