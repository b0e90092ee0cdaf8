using Recsys.Registry;

namespace Recsys.Serving;

/// <summary>
/// What a served target names and which version it serves: the default target (the configured stage or alias of the
/// served model), an alias of the served model, or another registered model at the configured stage.
/// </summary>
internal sealed class ModelTargets(IModelRegistry registry, RecommenderOptions options)
{
    /// <summary>The default target: the configured stage or alias of <see cref="RecommenderOptions.ModelName"/>.</summary>
    public const string Default = "";

    /// <summary>The stage or alias a target serves a version as, for the <c>recsys.model.version</c> gauge.</summary>
    public string ServedAs(string target, ServedModel model) => target switch
    {
        Default => options.Alias is { } alias ? "alias:" + alias : options.Stage.ToString(),
        _ when model.Version.ModelName == options.ModelName => "alias:" + target,
        _ => options.Stage.ToString(),
    };

    public string Describe(string target) =>
        target == Default ? $"{options.ModelName}@{options.Alias ?? options.Stage.ToString()}" : target;

    public async Task<ModelVersion?> ResolveAsync(string target, CancellationToken cancellationToken)
    {
        if (target == Default)
        {
            if (await registry.FindModelAsync(options.ModelName, cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }

            return options.Alias is { } alias
                ? await registry.GetByAliasAsync(options.ModelName, alias, cancellationToken).ConfigureAwait(false)
                : await registry.GetByStageAsync(options.ModelName, options.Stage, cancellationToken).ConfigureAwait(false);
        }

        // An alias of the served model first, then another registered model at the configured stage.
        if (await registry.FindModelAsync(options.ModelName, cancellationToken).ConfigureAwait(false) is not null
            && await registry.GetByAliasAsync(options.ModelName, target, cancellationToken).ConfigureAwait(false) is { } byAlias)
        {
            return byAlias;
        }

        if (await registry.FindModelAsync(target, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new UnknownAlgorithmException($"Unknown algorithm '{target}': it is neither an alias of model '{options.ModelName}' nor a registered model.");
        }

        return await registry.GetByStageAsync(target, options.Stage, cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownAlgorithmException($"Model '{target}' has no {options.Stage} version to serve.");
    }
}
