using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Recsys.AspNetCore;

/// <summary>Admin endpoints: 401 without the key header, 403 with a wrong key (compared in constant time) or when no key is configured.</summary>
internal sealed class AdminKeyFilter(IOptions<RecommenderHttpOptions> options) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var configured = options.Value.AdminApiKey;
        var header = options.Value.AdminApiKeyHeader;
        if (!context.HttpContext.Request.Headers.TryGetValue(header, out var presented) || string.IsNullOrEmpty(presented))
        {
            return ValueTask.FromResult<object?>(Problems.Create(StatusCodes.Status401Unauthorized, "Admin key required", $"Send the admin key in the {header} header."));
        }

        if (string.IsNullOrEmpty(configured))
        {
            return ValueTask.FromResult<object?>(Problems.Create(StatusCodes.Status403Forbidden, "Admin endpoints are disabled", "No admin key is configured (Recsys:AdminApiKey)."));
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(presented.ToString()));
        return CryptographicOperations.FixedTimeEquals(expected, actual)
            ? next(context)
            : ValueTask.FromResult<object?>(Problems.Create(StatusCodes.Status403Forbidden, "Wrong admin key", $"The {header} header does not match the configured admin key."));
    }
}
