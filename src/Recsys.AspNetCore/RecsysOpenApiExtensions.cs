using Microsoft.AspNetCore.OpenApi;
using Recsys.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Describes the recommender's endpoints in an OpenAPI document the host adds.</summary>
public static class RecsysOpenApiExtensions
{
    /// <summary>
    /// Adds the Recsys contract to an OpenAPI document: the query and path parameters the endpoints read themselves,
    /// snake_case schemas and ids typed string or integer. Use it in the host's own document, for example
    /// <c>services.AddOpenApi("recsys", o =&gt; o.AddRecsysContract())</c> and <c>app.MapOpenApi()</c>.
    /// </summary>
    /// <param name="options">The document's options.</param>
    /// <returns>The options.</returns>
    public static OpenApiOptions AddRecsysContract(this OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OpenApiContract.Configure(options);
        return options;
    }
}
