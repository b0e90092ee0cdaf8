using System.Text.Json;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Retraining.Internal;

/// <summary>
/// A version's recipe (its trainer and the parameter values it was trained with): recorded on registration, compared
/// to decide "same recipe on the same data" and refreshes, and rebuilt to refit Production on a run's split.
/// </summary>
internal static class Recipes
{
    /// <summary>Whether a candidate is a version's recipe: the same trainer with the same parameters (compared as parsed settings).</summary>
    public static bool SameRecipe(ModelVersion candidate, ModelVersion production) => SameRecipe(candidate.Trainer, candidate.Parameters, production);

    public static bool SameRecipe(string trainer, string? parameters, ModelVersion version) =>
        string.Equals(trainer, version.Trainer, StringComparison.OrdinalIgnoreCase)
        && string.Equals(NormalizedParameters(trainer, parameters), NormalizedParameters(trainer, version.Parameters), StringComparison.Ordinal);

    // Versions record the values they were trained with (a built-in algorithm's defaults filled in), so an older
    // version that recorded only the settings given compares equal to a new one with the same values.
    public static string? NormalizedParameters(string trainer, string? parameters)
    {
        try
        {
            return ParametersOf(trainer, JsonSerializer.Deserialize(string.IsNullOrWhiteSpace(parameters) ? "{}" : parameters, ParameterJsonContext.Default.AlgorithmSettings));
        }
        catch (JsonException)
        {
            return parameters;
        }
    }

    /// <summary>A version's parameters: the values a built-in algorithm trains with (defaults filled in), else the settings given.</summary>
    public static string ParametersOf(string? algorithm, AlgorithmSettings? settings) =>
        JsonSerializer.Serialize(
            algorithm is null || RecommenderAlgorithms.PurposeOf(algorithm) is null ? settings ?? new AlgorithmSettings() : RecommenderAlgorithms.Resolve(algorithm, settings),
            ParameterJsonContext.Default.AlgorithmSettings);

    /// <summary>The built-in algorithm a candidate trains, or null for a custom trainer factory.</summary>
    public static string? AlgorithmOf(CandidateOptions candidate) => candidate.Trainer is null ? candidate.Algorithm : null;

    /// <summary>A version's trainer with its recorded parameters, or null when it is not a built-in algorithm or its parameters do not parse.</summary>
    public static IRecommenderTrainer? RecipeOf(ModelVersion version)
    {
        if (RecommenderAlgorithms.PurposeOf(version.Trainer) is null)
        {
            return null;
        }

        try
        {
            var settings = JsonSerializer.Deserialize(string.IsNullOrWhiteSpace(version.Parameters) ? "{}" : version.Parameters, ParameterJsonContext.Default.AlgorithmSettings);
            return RecommenderAlgorithms.Create(version.Trainer, settings, HoldoutValidator.Default);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or System.ComponentModel.DataAnnotations.ValidationException)
        {
            return null;
        }
    }
}
