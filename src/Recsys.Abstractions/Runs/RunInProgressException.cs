namespace Recsys.Retraining;

// Defined here, in its original namespace, so that hosts can catch it from IRetrainingLauncher without the retraining
// package.

/// <summary>A run could not start because another run of the model holds its lock.</summary>
public sealed class RunInProgressException(string modelName)
    : Exception($"A retraining run of model '{modelName}' is already in progress on some worker.")
{
    /// <summary>Gets the model.</summary>
    public string ModelName { get; } = modelName;
}
