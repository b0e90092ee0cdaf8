using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Recsys.AspNetCore;

/// <summary>Reading query strings and JSON bodies, with problems that name what is wrong.</summary>
public static partial class RecommenderEndpoints
{
    private delegate bool Parser<T>(string? text, out T value);

    private static bool TryParse<T>(IQueryCollection query, string name, Parser<T> parse, out T? value, out IResult? error)
        where T : struct
    {
        value = null;
        error = null;
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (parse(text, out var parsed))
        {
            value = parsed;
            return true;
        }

        error = Problems.BadRequest($"Query parameter {name} has the value '{(text.Length > 40 ? text[..40] + "…" : text)}', which is not a valid {typeof(T).Name.ToLowerInvariant()}.");
        return false;
    }

    private static List<string>? List(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values)
            ? [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))]
            : null;

    private static async Task<(T? Value, IResult? Error)> ReadJsonAsync<T>(HttpContext context, JsonTypeInfo<T> info, RecommenderHttpOptions options, JsonTypeInfo<InteractionRequest>? acceptSingle = null)
        where T : class
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "JSON expected", "Send the body as JSON with Content-Type: application/json."));
        }

        if (request.ContentLength > options.MaxRequestBodyBytes)
        {
            return (null, TooLarge(options));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxRequestBodyBytes;
        }

        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            if (buffer.Length > options.MaxRequestBodyBytes)
            {
                return (null, TooLarge(options));
            }

            if (buffer.Length == 0)
            {
                return (null, Problems.BadRequest("The request body is empty; send a JSON object."));
            }

            var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            if (bytes.StartsWith("\uFEFF"u8))
            {
                bytes = bytes[3..]; // a UTF-8 byte-order mark, as some clients send
            }

            if (acceptSingle is not null && bytes.TrimStart(" \t\r\n"u8) is [(byte)'{', ..])
            {
                var single = JsonSerializer.Deserialize(bytes, acceptSingle);
                return (single is null ? null : (T)(object)new List<InteractionRequest> { single }, null);
            }

            var value = JsonSerializer.Deserialize(bytes, info);
            return value is null ? (null, Problems.BadRequest("The request body is JSON null; send a JSON object.")) : (value, null);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path && !e.Message.Contains(path, StringComparison.Ordinal) ? $" (at {path})" : "";
            return (null, Problems.BadRequest($"The body is not valid JSON for this endpoint: {e.Message}{where}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(options));
        }
    }

    private static IResult TooLarge(RecommenderHttpOptions options) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The body is larger than {options.MaxRequestBodyBytes} bytes.");
}
