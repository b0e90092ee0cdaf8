using Microsoft.Extensions.Options;
using Recsys.Recommenders;

namespace Recsys.Serving;

/// <summary>Checks <see cref="RecommenderOptions"/> at start-up, naming every bad setting.</summary>
internal sealed class RecommenderOptionsValidator : IValidateOptions<RecommenderOptions>
{
    public ValidateOptionsResult Validate(string? name, RecommenderOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ModelName))
        {
            errors.Add("Recsys:ModelName must not be empty.");
        }

        if (!Enum.IsDefined(options.Stage))
        {
            errors.Add($"Recsys:Stage '{options.Stage}' is not a stage (None, Staging, Production, Archived).");
        }

        if (options.MaxCount < 1)
        {
            errors.Add($"Recsys:MaxCount must be at least 1; it is {options.MaxCount}.");
        }

        if (options.DefaultCount < 1 || options.DefaultCount > options.MaxCount)
        {
            errors.Add($"Recsys:DefaultCount must be between 1 and MaxCount ({options.MaxCount}); it is {options.DefaultCount}.");
        }

        if (options.MaxIdLength < 1)
        {
            errors.Add("Recsys:MaxIdLength must be at least 1.");
        }

        if (options.CacheDuration < TimeSpan.Zero)
        {
            errors.Add("Recsys:CacheDuration must not be negative.");
        }

        if (options.Experiment.Any(v => string.IsNullOrWhiteSpace(v.Alias) || v.Weight < 0) || (options.Experiment.Count > 0 && options.Experiment.Sum(v => v.Weight) <= 0))
        {
            errors.Add("Recsys:Experiment arms need an alias and a non-negative weight, with a positive total.");
        }

        if (options.Bootstrap.Enabled && !RecommenderAlgorithms.Names.Contains(options.Bootstrap.Algorithm))
        {
            errors.Add($"Recsys:Bootstrap:Algorithm '{options.Bootstrap.Algorithm}' is unknown; use one of {string.Join(", ", RecommenderAlgorithms.Names)}.");
        }

        foreach (var (model, algorithm) in options.Bootstrap.Companions)
        {
            if (!RecommenderAlgorithms.Names.Contains(algorithm, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"Recsys:Bootstrap:Companions:{model} names the unknown algorithm '{algorithm}'; use one of {string.Join(", ", RecommenderAlgorithms.Names)}.");
            }

            if (string.IsNullOrWhiteSpace(model) || model == options.ModelName)
            {
                errors.Add($"Recsys:Bootstrap:Companions: '{model}' must be a model name other than Recsys:ModelName.");
            }
        }

        if (options.Bootstrap.TestFraction is <= 0 or >= 1)
        {
            errors.Add("Recsys:Bootstrap:TestFraction must be between 0 and 1.");
        }

        if (options.Bootstrap.DataPath is { } data && !File.Exists(data))
        {
            errors.Add($"Recsys:Bootstrap:DataPath '{data}' does not exist.");
        }

        if (options.MoviesPath is { } movies && !File.Exists(movies))
        {
            errors.Add($"Recsys:MoviesPath '{movies}' does not exist.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
