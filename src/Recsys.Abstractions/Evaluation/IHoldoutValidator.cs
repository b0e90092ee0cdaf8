using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Evaluation;

/// <summary>
/// How a trainer that fits part of itself on held-out data (a blend's weights, a hybrid's mix, a hyper-parameter
/// search's trials) splits its training data and scores a model, given to it so that the algorithms do not depend on
/// the evaluation package. <c>HoldoutValidator</c> (Recsys.Evaluation) is the implementation; a test can pass its own.
/// </summary>
public interface IHoldoutValidator
{
    /// <summary>Holds out a seeded random share of the rows.</summary>
    /// <param name="data">The training data.</param>
    /// <param name="fraction">The share held out, above 0 and below 1.</param>
    /// <param name="seed">The seed: the same data, share and seed give the same split.</param>
    /// <returns>The part to fit on and the held-out part.</returns>
    DataSplit Split(InteractionDataset data, double fraction, ulong seed);

    /// <summary>Scores a model on held-out interactions: the rating and ranking metrics of an evaluation.</summary>
    /// <param name="model">The model, fitted on the split's training part.</param>
    /// <param name="heldOut">The held-out part.</param>
    /// <param name="cancellationToken">Cancels the evaluation.</param>
    /// <returns>The metrics.</returns>
    EvaluationResult Evaluate(IRecommender model, InteractionDataset heldOut, CancellationToken cancellationToken);
}
