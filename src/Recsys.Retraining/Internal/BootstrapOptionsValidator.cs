using Microsoft.Extensions.Options;
using Recsys.Recommenders;

namespace Recsys.Retraining.Internal;

/// <summary>Checks <see cref="BootstrapOptions"/> when the host starts, naming the configuration key of each problem.</summary>
internal sealed class BootstrapOptionsValidator : IValidateOptions<BootstrapOptions>
{
    public ValidateOptionsResult Validate(string? name, BootstrapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        var known = string.Join(", ", RecommenderAlgorithms.Names);
        if (string.IsNullOrWhiteSpace(options.ModelName))
        {
            failures.Add("Recsys:ModelName (BootstrapOptions.ModelName) must name the model to bootstrap.");
        }

        if (!RecommenderAlgorithms.Names.Contains(options.Algorithm))
        {
            failures.Add($"Recsys:Bootstrap:Algorithm '{options.Algorithm}' is unknown; use one of {known}.");
        }

        foreach (var (model, algorithm) in options.Companions)
        {
            if (!RecommenderAlgorithms.Names.Contains(algorithm, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"Recsys:Bootstrap:Companions:{model} names the unknown algorithm '{algorithm}'; use one of {known}.");
            }

            if (string.IsNullOrWhiteSpace(model) || model == options.ModelName)
            {
                failures.Add($"Recsys:Bootstrap:Companions: '{model}' must be a model name other than Recsys:ModelName.");
            }
        }

        if (options.TestFraction is <= 0 or >= 1)
        {
            failures.Add("Recsys:Bootstrap:TestFraction must be between 0 and 1.");
        }

        if (options.DataPath is { } data && !Recsys.Data.InteractionSource.Exists(data))
        {
            failures.Add($"Recsys:Bootstrap:DataPath '{data}' does not exist.");
        }

        if (options.MoviesPath is { } movies && !File.Exists(movies))
        {
            failures.Add($"Recsys:MoviesPath '{movies}' does not exist.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
