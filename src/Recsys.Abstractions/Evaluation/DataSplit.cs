using Recsys.Data;

namespace Recsys.Evaluation;

/// <summary>A training set and the held-out set a model trained on it is evaluated on.</summary>
/// <param name="Train">The training interactions.</param>
/// <param name="Test">The held-out interactions; may contain users and items absent from <paramref name="Train"/>.</param>
/// <param name="Description">How the split was made (for example, <c>random:0.2 seed 42</c>).</param>
public sealed record DataSplit(InteractionDataset Train, InteractionDataset Test, string Description);
