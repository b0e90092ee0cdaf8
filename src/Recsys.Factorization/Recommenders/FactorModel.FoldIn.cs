using System.Text.Json;
using Recsys.Factorization;
using Recsys.Numerics;

namespace Recsys.Recommenders;

/// <summary>
/// Fold-in: the user's vector solved from their newer interactions with the item side fixed, as each algorithm's own
/// user step would (one exact step, not a retrain).
/// <list type="bullet">
/// <item><b>als-implicit</b>: implicit's <c>recalculate_user</c>, x = (YᵀY + α Σ y yᵀ + λI)⁻¹ (1 + α) Σ y over the new
/// positives. For a known user the normal equations of what the model learned are taken as A_old x_old, with A_old built
/// from their training items (whose positives the model file does not keep: all of them count).</item>
/// <item><b>truncated SVD</b>: the projection of the new row, x = Σ (r − mean) v (exact for a new row, additive for a known user).</item>
/// <item><b>biased MF, SVD++, ALS</b>: the ridge step of [b_u, p_u] on the ratings, targets r − μ − b_i,
/// regularization λ per rating (λ_b for the bias); a known user's learned [b_u, p_u] anchor the step through the
/// normal equations of their training items.</item>
/// </list>
/// </summary>
internal sealed partial class FactorModel
{
    private FoldInSettings? _foldIn;
    private double[]? _gramian;

    private enum FoldInKind
    {
        None,
        Implicit,
        Projection,
        Ridge,
    }

    public override bool SupportsFoldIn => Settings.Kind != FoldInKind.None;

    private FoldInSettings Settings => _foldIn ??= FoldInSettings.Of(this);

    protected override bool ScoreHistory(int user, ReadOnlySpan<int> items, ReadOnlySpan<float> values, Span<float> scores)
    {
        var p = Parts;
        var settings = Settings;
        var vector = new float[p.Rank];
        double offset;
        switch (settings.Kind)
        {
            case FoldInKind.Implicit:
                if (!SolveImplicit(user, items, values, settings, vector))
                {
                    return false;
                }

                offset = p.Global;
                break;
            case FoldInKind.Projection:
                offset = Project(user, items, values, vector);
                break;
            case FoldInKind.Ridge:
                if (SolveRidge(user, items, values, settings, vector) is not { } bias)
                {
                    return false;
                }

                offset = p.Global + bias;
                break;
            default:
                return false;
        }

        if (p.Rank > 0)
        {
            ScoreKernel.Scores(p.ItemFactors, p.Rank, vector, p.ItemBias, (float)offset, scores);
        }
        else
        {
            scores.Fill((float)offset);
            if (p.ItemBias is not null)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(scores, p.ItemBias, scores);
            }
        }

        return true;
    }

    private bool SolveImplicit(int user, ReadOnlySpan<int> items, ReadOnlySpan<float> values, FoldInSettings settings, float[] vector)
    {
        var p = Parts;
        var k = p.Rank;
        var alpha = settings.Alpha;
        var positives = 0;
        foreach (var value in values)
        {
            positives += value >= settings.PositiveThreshold ? 1 : 0;
        }

        if (positives == 0)
        {
            return false; // nothing the model counts as a preference
        }

        if (user >= 0)
        {
            // A known user: A_old = YᵀY + λI + α Σ_seen y yᵀ is the system their trained vector solves (A_old x_old
            // stands for the right-hand side the model file does not keep); the new positives add α y yᵀ and (1+α) y.
            // Conjugate gradient from x_old converges in at most (new positives + 1) steps, each O(k² + n k) for n
            // items: no k×k matrix is built per request.
            var seen = Training.Seen(user);
            var positive = new List<int>(items.Length);
            for (var n = 0; n < items.Length; n++)
            {
                if (values[n] >= settings.PositiveThreshold)
                {
                    positive.Add(items[n]);
                }
            }

            var all = new int[seen.Length + positive.Count];
            seen.CopyTo(all);
            positive.CopyTo(all, seen.Length);
            var start = ToDouble(p.UserFactor(user));
            var rhs = new double[k];
            ImplicitProduct(seen, start, settings, rhs);
            foreach (var item in positive)
            {
                var y = p.ItemFactor(item);
                for (var f = 0; f < k; f++)
                {
                    rhs[f] += (1 + alpha) * y[f];
                }
            }

            return ConjugateGradient((v, into) => ImplicitProduct(all, v, settings, into), rhs, start, Math.Min(k, positive.Count + 1), vector);
        }

        // A user the model never saw: implicit's recalculate_user, solved exactly (Cholesky).
        var a = new double[k * k];
        Gramian().CopyTo(a, 0);
        for (var f = 0; f < k; f++)
        {
            a[(f * k) + f] += settings.Regularization;
        }

        var b = new double[k];
        for (var n = 0; n < items.Length; n++)
        {
            if (values[n] >= settings.PositiveThreshold)
            {
                var y = p.ItemFactor(items[n]);
                AddOuter(a, y, alpha, k);
                for (var f = 0; f < k; f++)
                {
                    b[f] += (1 + alpha) * y[f];
                }
            }
        }

        return Solve(a, b, vector, 0, k);
    }

    /// <summary>(YᵀY + λI + α Σ_items y yᵀ) v, without forming the matrix.</summary>
    private void ImplicitProduct(ReadOnlySpan<int> items, double[] v, FoldInSettings settings, double[] into)
    {
        var p = Parts;
        var k = p.Rank;
        Multiply(Gramian(), v, into, k);
        for (var f = 0; f < k; f++)
        {
            into[f] += settings.Regularization * v[f];
        }

        foreach (var item in items)
        {
            var y = p.ItemFactor(item);
            var dot = 0.0;
            for (var f = 0; f < k; f++)
            {
                dot += y[f] * v[f];
            }

            dot *= settings.Alpha;
            for (var f = 0; f < k; f++)
            {
                into[f] += dot * y[f];
            }
        }
    }

    /// <summary>
    /// Conjugate gradient for a symmetric positive-definite system given by its product, from <paramref name="start"/>,
    /// at most <paramref name="steps"/> steps (exact in as many steps as the update's rank, plus one); false when it breaks down.
    /// </summary>
    private static bool ConjugateGradient(Action<double[], double[]> product, double[] rhs, double[] start, int steps, float[] into)
    {
        var k = rhs.Length;
        var x = (double[])start.Clone();
        var r = new double[k];
        var ap = new double[k];
        product(x, ap);
        for (var f = 0; f < k; f++)
        {
            r[f] = rhs[f] - ap[f];
        }

        var direction = (double[])r.Clone();
        var rs = Dot(r, r);
        var tolerance = 1e-12 * Math.Max(Dot(rhs, rhs), 1e-300);
        for (var step = 0; step < steps && rs > tolerance; step++)
        {
            product(direction, ap);
            var curvature = Dot(direction, ap);
            if (!(curvature > 0))
            {
                return false;
            }

            var length = rs / curvature;
            for (var f = 0; f < k; f++)
            {
                x[f] += length * direction[f];
                r[f] -= length * ap[f];
            }

            var next = Dot(r, r);
            for (var f = 0; f < k; f++)
            {
                direction[f] = r[f] + (next / rs * direction[f]);
            }

            rs = next;
        }

        for (var f = 0; f < k; f++)
        {
            if (!double.IsFinite(x[f]))
            {
                return false;
            }

            into[f] = (float)x[f];
        }

        return true;
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var f = 0; f < a.Length; f++)
        {
            sum += a[f] * b[f];
        }

        return sum;
    }

    private static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (var f = 0; f < values.Length; f++)
        {
            result[f] = values[f];
        }

        return result;
    }

    /// <summary>The projection of the new ratings on the item factors; returns the user's offset (global + bias).</summary>
    private double Project(int user, ReadOnlySpan<int> items, ReadOnlySpan<float> values, float[] vector)
    {
        var p = Parts;
        var centered = p.UserBias is not null;
        double mean;
        if (user >= 0)
        {
            p.UserFactor(user).CopyTo(vector);
            mean = p.Global + (centered ? p.UserBias![user] : 0);
        }
        else
        {
            var sum = 0.0;
            foreach (var value in values)
            {
                sum += value;
            }

            mean = centered ? sum / values.Length : 0;
        }

        for (var n = 0; n < items.Length; n++)
        {
            var weight = (float)(values[n] - (centered ? mean : 0));
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p.ItemFactor(items[n]), weight, vector, vector);
        }

        return centered ? mean : p.Global;
    }

    /// <summary>The ridge step of [b_u, p_u]; returns b_u (0 without user biases), or null when the system is singular.</summary>
    private double? SolveRidge(int user, ReadOnlySpan<int> items, ReadOnlySpan<float> values, FoldInSettings settings, float[] vector)
    {
        var p = Parts;
        var k = p.Rank;
        var biased = p.UserBias is not null;
        var offset = biased ? 1 : 0;
        var d = k + offset;
        if (d == 0)
        {
            return null;
        }

        var feature = new double[d];
        if (user >= 0)
        {
            // A known user: the normal equations of their training items (Σ f fᵀ + Λ n) stand for what the model
            // learned, with their learned [b_u, p_u] as the solution; conjugate gradient from there adds the new ratings
            // in at most (new ratings + 1) steps of O(n d), no d×d matrix built per request.
            var seen = Training.Seen(user);
            var learned = new double[d];
            if (biased)
            {
                learned[0] = p.UserBias![user];
            }

            for (var f = 0; f < k; f++)
            {
                learned[offset + f] = p.UserFactor(user)[f];
            }

            var rhs = new double[d];
            RidgeProduct(seen, [], learned, rhs);
            for (var n = 0; n < items.Length; n++)
            {
                Feature(items[n], feature);
                var target = values[n] - p.Global - (p.ItemBias?[items[n]] ?? 0);
                for (var f = 0; f < d; f++)
                {
                    rhs[f] += feature[f] * target;
                }
            }

            var known = new float[d];
            var oldItems = seen.ToArray();
            var newItems = items.ToArray();
            if (!ConjugateGradient((v, into) => RidgeProduct(oldItems, newItems, v, into), rhs, learned, Math.Min(d, items.Length + 1), known))
            {
                return null;
            }

            known.AsSpan(offset, k).CopyTo(vector);
            return biased ? known[0] : 0;
        }

        // A user the model never saw: the ridge normal equations of the new ratings, solved exactly.
        var a = new double[d * d];
        var b = new double[d];
        for (var n = 0; n < items.Length; n++)
        {
            Feature(items[n], feature);
            AddOuter(a, feature, d);
            var target = values[n] - p.Global - (p.ItemBias?[items[n]] ?? 0);
            for (var f = 0; f < d; f++)
            {
                b[f] += feature[f] * target;
            }
        }

        Regularize(a, items.Length, settings, offset, d);
        var solution = new float[d];
        if (!Solve(a, b, solution, 0, d))
        {
            return null;
        }

        solution.AsSpan(offset, k).CopyTo(vector);
        return biased ? solution[0] : 0;

        void Feature(int item, double[] into)
        {
            if (biased)
            {
                into[0] = 1;
            }

            var q = p.ItemFactor(item);
            for (var f = 0; f < k; f++)
            {
                into[offset + f] = q[f];
            }
        }

        // (Σ_{old ∪ new} f fᵀ + Λ (n_old + n_new)) v, without forming the matrix.
        void RidgeProduct(ReadOnlySpan<int> old, ReadOnlySpan<int> added, double[] v, double[] into)
        {
            var count = old.Length + added.Length;
            for (var f = 0; f < d; f++)
            {
                into[f] = count * (f < offset ? settings.BiasRegularization : settings.Regularization) * v[f];
            }

            Accumulate(old, v, into);
            Accumulate(added, v, into);
        }

        void Accumulate(ReadOnlySpan<int> list, double[] v, double[] into)
        {
            foreach (var item in list)
            {
                var q = p.ItemFactor(item);
                var dot = biased ? v[0] : 0.0;
                for (var f = 0; f < k; f++)
                {
                    dot += q[f] * v[offset + f];
                }

                if (biased)
                {
                    into[0] += dot;
                }

                for (var f = 0; f < k; f++)
                {
                    into[offset + f] += dot * q[f];
                }
            }
        }
    }

    private static void Regularize(double[] a, int count, FoldInSettings settings, int offset, int d)
    {
        for (var f = 0; f < d; f++)
        {
            a[(f * d) + f] += count * (f < offset ? settings.BiasRegularization : settings.Regularization);
        }
    }

    /// <summary>YᵀY over every item, once per model.</summary>
    private double[] Gramian()
    {
        if (_gramian is { } cached)
        {
            return cached;
        }

        var p = Parts;
        var k = p.Rank;
        var g = new double[k * k];
        for (var i = 0; i < Items.Count; i++)
        {
            AddOuter(g, p.ItemFactor(i), 1, k);
        }

        return _gramian = g;
    }

    private static void AddOuter(double[] a, ReadOnlySpan<float> y, double weight, int k)
    {
        for (var r = 0; r < k; r++)
        {
            var scaled = weight * y[r];
            var row = a.AsSpan(r * k, k);
            for (var c = 0; c < k; c++)
            {
                row[c] += scaled * y[c];
            }
        }
    }

    private static void AddOuter(double[] a, double[] y, int k)
    {
        for (var r = 0; r < k; r++)
        {
            var row = a.AsSpan(r * k, k);
            for (var c = 0; c < k; c++)
            {
                row[c] += y[r] * y[c];
            }
        }
    }

    private static void Multiply(double[] a, ReadOnlySpan<float> x, double[] into, int k)
    {
        for (var r = 0; r < k; r++)
        {
            var sum = 0.0;
            for (var c = 0; c < k; c++)
            {
                sum += a[(r * k) + c] * x[c];
            }

            into[r] = sum;
        }
    }

    private static void Multiply(double[] a, double[] x, double[] into, int k)
    {
        for (var r = 0; r < k; r++)
        {
            var sum = 0.0;
            for (var c = 0; c < k; c++)
            {
                sum += a[(r * k) + c] * x[c];
            }

            into[r] = sum;
        }
    }

    private static bool Solve(double[] a, double[] b, float[] into, int at, int k)
    {
        if (!DenseMath.SolveSpd(a, b, k))
        {
            return false;
        }

        for (var f = 0; f < k; f++)
        {
            if (!double.IsFinite(b[f]))
            {
                return false;
            }

            into[at + f] = (float)b[f];
        }

        return true;
    }

    /// <summary>What the fold-in of a factor model needs from its trainer's parameters.</summary>
    private sealed record FoldInSettings(FoldInKind Kind, double Regularization, double BiasRegularization, double Alpha, double PositiveThreshold)
    {
        public static FoldInSettings Of(FactorModel model)
        {
            var kind = model.Parts.NonPersonalized ? FoldInKind.None : model.Algorithm switch
            {
                ImplicitAlsTrainer.Name => FoldInKind.Implicit,
                TruncatedSvdTrainer.Name or TruncatedSvdTrainer.CenteredName => FoldInKind.Projection,
                BiasedMatrixFactorizationTrainer.Name or SvdPlusPlusTrainer.Name or AlsTrainer.Name => FoldInKind.Ridge,
                _ => FoldInKind.None,
            };
            if (kind == FoldInKind.None)
            {
                return new(kind, 0, 0, 0, 0);
            }

            // The trainer's own options, as recorded in the model (snake_case JSON); the trainers' defaults otherwise.
            double Read(JsonElement root, string name, double fallback) =>
                root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : fallback;
            using var json = JsonDocument.Parse(string.IsNullOrWhiteSpace(model.Parameters) ? "{}" : model.Parameters);
            var root = json.RootElement;
            return kind switch
            {
                FoldInKind.Implicit => new(kind, Read(root, "regularization", new ImplicitAlsOptions().Regularization), 0, Read(root, "alpha", new ImplicitAlsOptions().Alpha), Read(root, "positive_threshold", new ImplicitAlsOptions().PositiveThreshold)),
                FoldInKind.Ridge => new(kind, Read(root, "regularization", 0.05), Read(root, "bias_regularization", Read(root, "regularization", 0.05)), 0, 0),
                _ => new(kind, 0, 0, 0, 0),
            };
        }
    }
}
