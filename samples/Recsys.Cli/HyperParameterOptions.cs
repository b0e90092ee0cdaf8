using System.CommandLine;
using Recsys.Recommenders;

namespace Recsys.Cli;

/// <summary>The hyper-parameter options shared by <c>evaluate</c> and <c>train</c>; unset ones keep the algorithm's defaults.</summary>
internal sealed class HyperParameterOptions
{
    public Option<int?> Rank { get; } = new("--rank") { Description = "Number of latent factors." };

    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Number of epochs or iterations." };

    public Option<double?> Regularization { get; } = new("--reg") { Description = "Regularization strength." };

    public Option<double?> LearningRate { get; } = new("--lr") { Description = "Initial learning rate (SGD models)." };

    public Option<double?> Alpha { get; } = new("--alpha") { Description = "Confidence scale (implicit ALS)." };

    public Option<int?> Threads { get; } = new("--threads") { Description = "Training threads (0 = every core)." };

    public Option<ulong?> ModelSeed { get; } = new("--model-seed") { Description = "Seed of the model's initialization (default: the algorithm's)." };

    public Option<string?> Components { get; } = new("--components") { Description = "Comma-separated algorithms a blend or hybrid combines." };

    public Option<string?> Weights { get; } = new("--weights") { Description = "Comma-separated fixed weights of a hybrid's components (the original: 0.6,0.4); default: fitted on a validation slice." };

    public IEnumerable<Option> All => [Rank, Epochs, Regularization, LearningRate, Alpha, Threads, ModelSeed, Components, Weights];

    public AlgorithmSettings Settings(ParseResult result) => new()
    {
        Rank = result.GetValue(Rank),
        Epochs = result.GetValue(Epochs),
        Regularization = result.GetValue(Regularization),
        LearningRate = result.GetValue(LearningRate),
        Alpha = result.GetValue(Alpha),
        Threads = result.GetValue(Threads),
        Seed = result.GetValue(ModelSeed),
        Components = result.GetValue(Components)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        Weights = result.GetValue(Weights) is { } weights ? [.. weights.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseWeight)] : null,
    };

    private static double ParseWeight(string text) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var w) && double.IsFinite(w)
            ? w
            : throw new UsageException($"--weights: '{text}' is not a number.");
}
