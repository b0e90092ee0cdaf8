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

        var a = new double[k * k];
        Gramian().CopyTo(a, 0);
        for (var f = 0; f < k; f++)
        {
            a[(f * k) + f] += settings.Regularization;
        }

        var b = new double[k];
        if (user >= 0)
        {
            foreach (var item in Training.Seen(user))
            {
                AddOuter(a, p.ItemFactor(item), alpha, k);
            }

            Multiply(a, p.UserFactor(user), b, k); // A_old x_old: the right-hand side the trained vector solves
        }

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

        var a = new double[d * d];
        var b = new double[d];
        var feature = new double[d];
        var count = 0;
        if (user >= 0)
        {
            foreach (var item in Training.Seen(user))
            {
                Feature(item, feature);
                AddOuter(a, feature, d);
                count++;
            }

            Regularize(a, count, settings, offset, d);
            var learned = new double[d];
            if (biased)
            {
                learned[0] = p.UserBias![user];
            }

            for (var f = 0; f < k; f++)
            {
                learned[offset + f] = p.UserFactor(user)[f];
            }

            Multiply(a, learned, b, d);
        }

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
