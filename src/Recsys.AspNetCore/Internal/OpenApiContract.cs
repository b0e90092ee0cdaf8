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

    public static void Configure(OpenApiOptions options)
    {
        options.AddOperationTransformer((operation, context, _) =>
        {
            var declared = context.Description.ActionDescriptor.EndpointMetadata.OfType<ParameterMetadata>().ToList();
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
                        required.Add(JsonNamingPolicy.SnakeCaseLower.ConvertName(name));
                    }
                }
            }

            return Task.CompletedTask;
        });
    }

    private static OpenApiSchema SchemaOf(Type type) => type switch
    {
        _ when type == typeof(int) => new() { Type = JsonSchemaType.Integer, Format = "int32" },
        _ when type == typeof(bool) => new() { Type = JsonSchemaType.Boolean },
        _ when type == typeof(float) => new() { Type = JsonSchemaType.Number, Format = "float" },
        _ when type == typeof(string[]) => new() { Type = JsonSchemaType.String, Description = "comma-separated" },
        _ => new() { Type = JsonSchemaType.String },
    };
}
