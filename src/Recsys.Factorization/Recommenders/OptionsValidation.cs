using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Recsys.Recommenders;

/// <summary>Runs a source-generated options validator outside dependency injection.</summary>
internal static class OptionsValidation
{
    public static void ThrowIfInvalid<TOptions>(IValidateOptions<TOptions> validator, TOptions options)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = validator.Validate(typeof(TOptions).Name, options);
        if (result.Failed)
        {
            throw new ValidationException(result.FailureMessage);
        }
    }
}
