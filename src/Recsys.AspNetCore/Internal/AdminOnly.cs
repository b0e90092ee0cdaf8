namespace Recsys.AspNetCore;

/// <summary>Endpoint metadata of the admin operations (the admin key's filter): the OpenAPI document names the key's security scheme on them.</summary>
internal sealed class AdminOnly
{
    public static AdminOnly Instance { get; } = new();
}
