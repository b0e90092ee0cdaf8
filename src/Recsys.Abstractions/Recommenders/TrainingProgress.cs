namespace Recsys.Recommenders;

/// <summary>Progress of a training run, reported after every epoch.</summary>
/// <param name="Algorithm">The algorithm being trained.</param>
/// <param name="Epoch">The epoch just finished, from 1.</param>
/// <param name="Epochs">The number of epochs planned.</param>
/// <param name="Loss">The training loss after the epoch (the algorithm's objective, or NaN when it does not compute one).</param>
public readonly record struct TrainingProgress(string Algorithm, int Epoch, int Epochs, double Loss);
