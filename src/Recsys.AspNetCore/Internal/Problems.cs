using Microsoft.AspNetCore.Http;

namespace Recsys.AspNetCore;

/// <summary>RFC 7807 problem details of the endpoints.</summary>
internal static class Problems
{
    public static IResult Create(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://httpwg.org/specs/rfc9110.html#status.{status}", extensions: extensions);

    public static IResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, "Invalid request", detail);
}
