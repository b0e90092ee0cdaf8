namespace Recsys.Runs;

/// <summary>What a bootstrap trains: a model, its algorithm, and the data (a file, or the built-in synthetic data).</summary>
/// <param name="ModelName">The registered model.</param>
/// <param name="Algorithm">The algorithm (a built-in name, for example <c>als-implicit</c>).</param>
public sealed record ModelBootstrapRequest(string ModelName, string Algorithm)
{
    /// <summary>Gets the ratings file or table, or <see langword="null"/> for the built-in synthetic data.</summary>
    public string? DataPath { get; init; }

    /// <summary>Gets a MovieLens <c>movies.csv</c> whose genres are stored with the model, or <see langword="null"/>.</summary>
    public string? MoviesPath { get; init; }

    /// <summary>Gets the share of the data held out to measure the model before it is refit.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Gets whether the model is refit on all the data after it is measured.</summary>
    public bool Refit { get; init; } = true;

    /// <summary>Gets the seed of the split, the synthetic data and the training.</summary>
    public ulong Seed { get; init; } = 42;
}
