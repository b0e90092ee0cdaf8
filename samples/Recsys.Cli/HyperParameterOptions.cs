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

    public Option<int?> Neighbors { get; } = new("--neighbors") { Description = "Neighbours per prediction (item-kNN)." };

    public Option<double?> Shrinkage { get; } = new("--shrinkage") { Description = "Similarity shrinkage (item-kNN)." };

    public Option<int?> Threads { get; } = new("--threads") { Description = "Training threads (0 = every core)." };

    public Option<ulong?> ModelSeed { get; } = new("--model-seed") { Description = "Seed of the model's initialization (default: the algorithm's)." };

    public Option<string?> Components { get; } = new("--components") { Description = "Comma-separated algorithms a blend or hybrid combines." };

    public Option<string?> Weights { get; } = new("--weights") { Description = "Comma-separated fixed weights of a hybrid's components (the original: 0.6,0.4); default: fitted on a validation slice." };

    public IEnumerable<Option> All => [Rank, Epochs, Regularization, LearningRate, Alpha, Neighbors, Shrinkage, Threads, ModelSeed, Components, Weights];

    /// <summary>Refuses an option the algorithm would ignore (for example --rank for baseline), naming what it does use.</summary>
    public void CheckApplies(ParseResult result, string algorithm)
    {
        var reads = RecommenderAlgorithms.SettingsOf(algorithm);
        (Option Option, string Setting)[] map =
        [
            (Rank, nameof(AlgorithmSettings.Rank)), (Epochs, nameof(AlgorithmSettings.Epochs)), (Regularization, nameof(AlgorithmSettings.Regularization)),
            (LearningRate, nameof(AlgorithmSettings.LearningRate)), (Alpha, nameof(AlgorithmSettings.Alpha)),
            (Neighbors, nameof(AlgorithmSettings.Neighbors)), (Shrinkage, nameof(AlgorithmSettings.Shrinkage)), (Threads, nameof(AlgorithmSettings.Threads)),
            (ModelSeed, nameof(AlgorithmSettings.Seed)), (Components, nameof(AlgorithmSettings.Components)), (Weights, nameof(AlgorithmSettings.Weights)),
        ];
        foreach (var (option, setting) in map)
        {
            if (result.GetResult(option) is { Implicit: false } && !reads.Contains(setting))
            {
                var uses = map.Where(m => reads.Contains(m.Setting)).Select(m => m.Option.Name).ToList();
                throw new UsageException($"{option.Name} does not apply to {algorithm}; it takes {(uses.Count == 0 ? "no hyper-parameters" : string.Join(", ", uses))}.");
            }
        }
    }

    public AlgorithmSettings Settings(ParseResult result) => new()
    {
        Rank = result.GetValue(Rank),
        Epochs = result.GetValue(Epochs),
        Regularization = result.GetValue(Regularization),
        LearningRate = result.GetValue(LearningRate),
        Alpha = result.GetValue(Alpha),
        Neighbors = result.GetValue(Neighbors),
        Shrinkage = result.GetValue(Shrinkage),
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
