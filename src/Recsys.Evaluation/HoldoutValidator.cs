using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Evaluation;

/// <summary>
/// The <see cref="IHoldoutValidator"/> of this library: <see cref="DataSplitter.RandomHoldout"/> and
/// <see cref="Evaluator.Evaluate"/> with the given evaluation options.
/// </summary>
/// <param name="options">How to score (K, relevance threshold, parallelism), or <see langword="null"/> for the defaults.</param>
public sealed class HoldoutValidator(EvaluationOptions? options = null) : IHoldoutValidator
{
    /// <summary>Gets the validator with the default evaluation options (K = 10, relevance threshold 4).</summary>
    public static HoldoutValidator Default { get; } = new();

    /// <inheritdoc />
    public DataSplit Split(InteractionDataset data, double fraction, ulong seed) => DataSplitter.RandomHoldout(data, fraction, seed);

    /// <inheritdoc />
    public EvaluationResult Evaluate(IRecommender model, InteractionDataset heldOut, CancellationToken cancellationToken) =>
        Evaluator.Evaluate(model, heldOut, options, cancellationToken);
}
