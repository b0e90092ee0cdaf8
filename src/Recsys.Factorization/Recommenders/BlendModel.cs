namespace Recsys.Recommenders;

/// <summary>A weighted ensemble <c>intercept + Σ w_k · model_k</c> of models trained on the same data.</summary>
internal sealed class BlendModel : RecommenderBase
{
    public BlendModel(string algorithm, double intercept, IReadOnlyList<RecommenderBase> components, IReadOnlyList<double> weights, double[]? supportCoefficients = null)
        : base(algorithm, components.Count > 0 ? components[0].Training : throw new ArgumentException("A blend needs at least one model.", nameof(components)))
    {
        if (weights.Count != components.Count)
        {
            throw new ArgumentException($"{components.Count} models but {weights.Count} weights.", nameof(weights));
        }

        foreach (var component in components)
        {
            if (!SameIds(component.Users, Users) || !SameIds(component.Items, Items))
            {
                throw new ArgumentException("Every model of a blend must be trained on the same users and items.", nameof(components));
            }
        }

        if (supportCoefficients is not null && supportCoefficients.Length != 2 * (components.Count + 1))
        {
            throw new ArgumentException($"{components.Count} models need {2 * (components.Count + 1)} support coefficients; {supportCoefficients.Length} were given.", nameof(supportCoefficients));
        }

        Intercept = intercept;
        Components = components;
        Weights = weights;
        SupportCoefficients = supportCoefficients;
        if (supportCoefficients is not null)
        {
            _logItemCounts = Array.ConvertAll(Training.ItemCounts(), static c => MathF.Log(1 + c));
            _meanLogItemCount = _logItemCounts.Length == 0 ? 0 : _logItemCounts.Average();
            _meanLogUserCount = Enumerable.Range(0, Users.Count).Select(u => Math.Log(1 + Training.Seen(u).Length)).DefaultIfEmpty(0).Average();
        }
    }

    private readonly float[]? _logItemCounts;
    private readonly double _meanLogUserCount;
    private readonly double _meanLogItemCount;

    public double Intercept { get; }

    public IReadOnlyList<RecommenderBase> Components { get; }

    public IReadOnlyList<double> Weights { get; }

    /// <summary>
    /// Gets the coefficients that let the weights vary with support (feature-weighted linear stacking, Sill et al.
    /// 2009), or <see langword="null"/> for a plain linear blend: [a₀, a₁ … a_C, b₀, b₁ … b_C], where the prediction adds
    /// ln(1 + n_u)·(a₀ + Σ a_c·p_c) + ln(1 + n_i)·(b₀ + Σ b_c·p_c) with n_u, n_i the user's and the item's training counts.
    /// </summary>
    public double[]? SupportCoefficients { get; }

    /// <summary>
    /// Gets the support features of a pair: ln(1 + the user's training count), ln(1 + the item's). An unknown user or
    /// item gets the training average (the weights of an average user or item) rather than 0, which lies outside
    /// anything the weights were fitted on.
    /// </summary>
    private (double User, double Item) Support(int user, int item) =>
        ((uint)user < (uint)Users.Count ? Math.Log(1 + Training.Seen(user).Length) : _meanLogUserCount,
         (uint)item < (uint)_logItemCounts!.Length ? _logItemCounts[item] : _meanLogItemCount);

    public override float Predict(int user, int item)
    {
        var sum = Intercept;
        var c = SupportCoefficients;
        var (userSupport, itemSupport) = c is null ? (0, 0) : Support(user, item);
        var m = Components.Count + 1;
        if (c is not null)
        {
            sum += (userSupport * c[0]) + (itemSupport * c[m]);
        }

        for (var k = 0; k < Components.Count; k++)
        {
            var weight = Weights[k];
            if (c is not null)
            {
                weight += (userSupport * c[k + 1]) + (itemSupport * c[m + k + 1]);
            }

            sum += weight * Components[k].Predict(user, item);
        }

        return Clamp(sum);
    }

    protected override void ScoreItems(int user, Span<float> scores) => Combine(user, scores);

    private void Combine(int user, Span<float> scores)
    {
        var c = SupportCoefficients;
        var buffer = TopN.Rent(scores.Length);
        var weightBuffer = c is null ? null : TopN.Rent(scores.Length);
        try
        {
            var part = buffer.AsSpan(0, scores.Length);
            var weights = c is null ? default : weightBuffer.AsSpan(0, scores.Length);
            var userSupport = c is null ? 0 : Support(user, -1).User;
            var m = Components.Count + 1;
            if (c is null)
            {
                scores.Fill((float)Intercept);
            }
            else
            {
                // Intercept + ln(1+n_u)·a₀ + ln(1+n_i)·b₀, per item.
                ScaleAndShift(_logItemCounts!, (float)c[m], (float)(Intercept + (userSupport * c[0])), scores);
            }

            for (var k = 0; k < Components.Count; k++)
            {
                Components[k].ScoreAll(user, part);
                if (c is null)
                {
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(part, (float)Weights[k], scores, scores);
                    continue;
                }

                // The component's weight for each item: w + ln(1+n_u)·a + ln(1+n_i)·b.
                ScaleAndShift(_logItemCounts!, (float)c[m + k + 1], (float)(Weights[k] + (userSupport * c[k + 1])), weights);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(part, weights, scores, scores);
            }
        }
        finally
        {
            TopN.Return(buffer);
            if (weightBuffer is not null)
            {
                TopN.Return(weightBuffer);
            }
        }
    }

    private static void ScaleAndShift(ReadOnlySpan<float> x, float scale, float shift, Span<float> destination)
    {
        System.Numerics.Tensors.TensorPrimitives.Multiply(x, scale, destination);
        System.Numerics.Tensors.TensorPrimitives.Add(destination, shift, destination);
    }

    private static bool SameIds(Data.IdMap a, Data.IdMap b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
