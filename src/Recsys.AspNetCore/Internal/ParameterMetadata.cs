namespace Recsys.AspNetCore;

/// <summary>
/// A query or path parameter an endpoint reads itself (so it can answer bad values with a problem that names them),
/// declared as typed endpoint metadata; <see cref="OpenApiContract"/> turns it into the OpenAPI parameter.
/// </summary>
/// <param name="Name">The parameter name.</param>
/// <param name="Type">The CLR type of its value (string, int, bool, float; a string list is comma-separated).</param>
/// <param name="Description">What it does.</param>
/// <param name="InPath">Whether it is a route parameter.</param>
internal sealed record ParameterMetadata(string Name, Type Type, string Description, bool InPath = false);
