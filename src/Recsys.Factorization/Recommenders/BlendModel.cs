namespace Recsys.Recommenders;

/// <summary>A weighted ensemble <c>intercept + Σ w_k · model_k</c> of models trained on the same data.</summary>
internal sealed class BlendModel : RecommenderBase
{
    public BlendModel(string algorithm, double intercept, IReadOnlyList<RecommenderBase> components, IReadOnlyList<double> weights)
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

        Intercept = intercept;
        Components = components;
        Weights = weights;
    }

    public double Intercept { get; }

    public IReadOnlyList<RecommenderBase> Components { get; }

    public IReadOnlyList<double> Weights { get; }

    public override float Predict(int user, int item)
    {
        var sum = Intercept;
        for (var k = 0; k < Components.Count; k++)
        {
            sum += Weights[k] * Components[k].Predict(user, item);
        }

        return Clamp(sum);
    }

    protected override void ScoreItems(int user, Span<float> scores) => Combine(user, scores);

    private void Combine(int user, Span<float> scores)
    {
        scores.Fill((float)Intercept);
        var buffer = TopN.Rent(scores.Length);
        try
        {
            var part = buffer.AsSpan(0, scores.Length);
            for (var k = 0; k < Components.Count; k++)
            {
                Components[k].ScoreAll(user, part);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(part, (float)Weights[k], scores, scores);
            }
        }
        finally
        {
            TopN.Return(buffer);
        }
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
