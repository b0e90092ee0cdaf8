using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Recsys.AspNetCore;

/// <summary>The endpoints' OpenAPI contract: parameters from <see cref="ParameterMetadata"/>, snake_case schemas, ids typed string or integer.</summary>
internal static class OpenApiContract
{
    private static readonly HashSet<string> IdProperties = new(StringComparer.Ordinal) { "user_id", "item_id" };
    private static readonly HashSet<Type> RequestTypes = [typeof(RecommendationRequest), typeof(RecommendationFilters), typeof(InteractionRequest)];

    public static RouteHandlerBuilder Parameters(this RouteHandlerBuilder builder, params ParameterMetadata[] parameters)
    {
        foreach (var parameter in parameters)
        {
            builder.WithMetadata(parameter);
        }

        return builder;
    }

    /// <summary>The security scheme of the admin operations: the <c>X-Api-Key</c> header.</summary>
    internal const string AdminScheme = "AdminApiKey";

    public static void Configure(OpenApiOptions options)
    {
        // The admin key as a security scheme, named by every admin operation.
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes[AdminScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "The host's admin key (Recsys:AdminApiKey). Without it configured the admin operations answer 403.",
            };

            // Servers as the request saw them, without the trailing slash paths would double.
            foreach (var server in document.Servers ?? [])
            {
                server.Url = server.Url?.TrimEnd('/');
            }

            foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            {
                tag.Description ??= "Top-N recommendations, similar items, interactions, the served model's stats, and (with the admin key) retraining runs and reloads.";
            }

            document.Info ??= new OpenApiInfo();
            document.Info.License ??= new OpenApiLicense { Name = "MIT", Identifier = "MIT" };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            // Admin operations need the key; every other operation says so too: no credential (an empty requirement).
            operation.Security = metadata.OfType<AdminOnly>().Any()
                ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(AdminScheme, context.Document)] = [] }]
                : [new OpenApiSecurityRequirement()];

            // POST /interactions takes one interaction or a list of them (1 to 1,000).
            if (metadata.OfType<Microsoft.AspNetCore.Routing.IEndpointNameMetadata>().Any(n => n.EndpointName == "AddInteractions") && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
            {
                var one = new OpenApiSchemaReference(nameof(InteractionRequest), context.Document);
                body.Schema = new OpenApiSchema
                {
                    OneOf = [one, new OpenApiSchema { Type = JsonSchemaType.Array, Items = one, MinItems = 1, MaxItems = 1_000 }],
                };
            }

            // 202 Accepted says where the run can be followed.
            if (operation.Responses?.TryGetValue("202", out var accepted) == true && accepted is OpenApiResponse response)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal);
                response.Headers["Location"] = new OpenApiHeader { Description = "The run's status URL (as status_url).", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }

            var declared = metadata.OfType<ParameterMetadata>().ToList();
            if (declared.Count == 0)
            {
                return Task.CompletedTask;
            }

            operation.Parameters ??= [];
            foreach (var p in declared)
            {
                var existing = operation.Parameters.FirstOrDefault(x => x.Name == p.Name);
                if (existing is not null)
                {
                    operation.Parameters.Remove(existing);
                }

                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = p.Name,
                    In = p.InPath ? ParameterLocation.Path : ParameterLocation.Query,
                    Required = p.InPath,
                    Description = p.Description,
                    Schema = SchemaOf(p.Type),
                });
            }

            return Task.CompletedTask;
        });

        // The bodies are written snake_case by RecommenderJsonContext, whatever the host's JSON options: say so.
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = context.JsonTypeInfo.Type;
            if (type.Assembly != typeof(OpenApiContract).Assembly && type.Namespace?.StartsWith("Recsys", StringComparison.Ordinal) != true)
            {
                return Task.CompletedTask;
            }

            // Enums are written by name (JsonStringEnumConverter), never as numbers.
            if (type.IsEnum)
            {
                schema.Type = JsonSchemaType.String;
                schema.Format = null;
                schema.Enum = [.. Enum.GetNames(type).Select(n => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(n))];
                return Task.CompletedTask;
            }

            if (schema.Properties is { Count: > 0 } properties)
            {
                foreach (var name in properties.Keys.ToList())
                {
                    var snake = JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
                    var property = properties[name];
                    if (snake != name)
                    {
                        properties.Remove(name);
                        properties[snake] = property;
                    }

                    if (property is OpenApiSchema { Type: { } t } numeric && (t & JsonSchemaType.String) != 0 && (t & (JsonSchemaType.Number | JsonSchemaType.Integer)) != 0)
                    {
                        // Numbers are written and read as JSON numbers (NumberHandling.Strict), never as strings.
                        numeric.Type = t & ~JsonSchemaType.String;
                        numeric.Pattern = null;
                    }

                    if (RequestTypes.Contains(type) && property is OpenApiSchema s)
                    {
                        if (snake == "num_recommendations")
                        {
                            s.Type = JsonSchemaType.Integer | JsonSchemaType.Null; // 10 and 10.0 are accepted; 2.5 is not
                        }

                        // Ids in request bodies are JSON strings or integers (the original's clients send numbers).
                        if (IdProperties.Contains(snake))
                        {
                            s.Type = JsonSchemaType.String | JsonSchemaType.Integer | JsonSchemaType.Null;
                        }
                        else if (snake == "rating" && type == typeof(InteractionRequest)
                            && context.ApplicationServices.GetService(typeof(Recsys.Serving.RecommendationService)) is Recsys.Serving.RecommendationService service
                            && service.CurrentRatingScale() is { } scale)
                        {
                            // The scale POST /interactions enforces now: configured, or the served model's data.
                            s.Minimum = scale.Scale.Min.ToString("R", CultureInfo.InvariantCulture);
                            s.Maximum = scale.Scale.Max.ToString("R", CultureInfo.InvariantCulture);
                            s.Description = $"The rating, on the host's scale ({scale.Origin}). Without it the interaction is an implicit signal of value 1.";
                        }
                        else if (snake == "exclude_items" && s.Items is OpenApiSchema items)
                        {
                            items.Type = JsonSchemaType.String | JsonSchemaType.Integer;
                        }
                    }
                }

                if (schema.Required is { Count: > 0 } required)
                {
                    foreach (var name in required.ToList())
                    {
                        required.Remove(name);
                        var snake = JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

                        // A null is not written (WhenWritingNull): a property that may be null may be absent.
                        if (!(properties.TryGetValue(snake, out var property) && MayBeNull(property)))
                        {
                            required.Add(snake);
                        }
                    }
                }

                if (type == typeof(RecommendationRequest))
                {
                    schema.Required = new HashSet<string>(StringComparer.Ordinal) { "user_id" };
                    if (properties.TryGetValue("num_recommendations", out var count) && count is OpenApiSchema bounded)
                    {
                        var maxCount = context.ApplicationServices.GetService(typeof(Microsoft.Extensions.Options.IOptions<Recsys.Serving.RecommenderOptions>)) is Microsoft.Extensions.Options.IOptions<Recsys.Serving.RecommenderOptions> recommender ? recommender.Value.MaxCount : 100;
                        bounded.Minimum = "1";
                        bounded.Maximum = maxCount.ToString(CultureInfo.InvariantCulture);
                    }
                }
                else if (type == typeof(InteractionRequest))
                {
                    schema.Required = new HashSet<string>(StringComparer.Ordinal) { "user_id", "item_id" };
                }
            }

            return Task.CompletedTask;
        });
    }

    private static bool MayBeNull(IOpenApiSchema schema) =>
        (schema.Type is { } t && (t & JsonSchemaType.Null) != 0) || schema.OneOf?.Any(o => o.Type == JsonSchemaType.Null) == true || schema.AnyOf?.Any(o => o.Type == JsonSchemaType.Null) == true;

    private static OpenApiSchema SchemaOf(Type type) => type switch
    {
        _ when type == typeof(int) => new() { Type = JsonSchemaType.Integer, Format = "int32" },
        _ when type == typeof(bool) => new() { Type = JsonSchemaType.Boolean },
        _ when type == typeof(float) => new() { Type = JsonSchemaType.Number, Format = "float" },
        _ when type == typeof(string[]) => new() { Type = JsonSchemaType.String, Description = "comma-separated" },
        _ => new() { Type = JsonSchemaType.String },
    };
}
