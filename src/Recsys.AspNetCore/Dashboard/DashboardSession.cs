using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Recsys.AspNetCore.Dashboard;

// The dashboard's sign-in: the admin key is entered once, in a form, and never stored: the browser keeps a session
// cookie (no expiry, HttpOnly, SameSite=Strict, scoped to the dashboard's path) holding the operator's name, the time
// and an HMAC of both keyed by the admin key's hash. Every replica sharing the key accepts it; changing the key signs
// everyone out; a session lasts at most 12 hours. Forms carry a second HMAC of the cookie (the CSRF token).
internal sealed class DashboardSession(IOptions<RecommenderHttpOptions> options, TimeProvider time, string path)
{
    public const string CookieName = "recsys_dashboard";
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(12);

    public bool KeyConfigured => !string.IsNullOrEmpty(options.Value.AdminApiKey);

    // Null when the key is right; else why not (no key configured, wrong key).
    public string? CheckKey(string? presented)
    {
        if (!KeyConfigured)
        {
            return "Admin actions are disabled: no admin key is configured (Recsys:AdminApiKey).";
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AdminApiKey!));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(presented ?? string.Empty));
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? null : "The admin key is wrong.";
    }

    public void SignIn(HttpContext context, string actor)
    {
        var issued = time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var name = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(actor));
        var token = $"{name}.{issued}.{Sign($"{name}.{issued}")}";
        context.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = path,
            IsEssential = true,
        });
    }

    public void SignOut(HttpContext context) => context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = path });

    // The signed-in operator, or null.
    public string? Actor(HttpContext context)
    {
        if (!KeyConfigured || !context.Request.Cookies.TryGetValue(CookieName, out var token) || token is null)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || !long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var issued))
        {
            return null;
        }

        var expected = Encoding.ASCII.GetBytes(Sign($"{parts[0]}.{parts[1]}"));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2])))
        {
            return null;
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(issued);
        if (age < TimeSpan.FromMinutes(-5) || age > MaxAge)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[0]));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public string CsrfToken(HttpContext context) =>
        context.Request.Cookies.TryGetValue(CookieName, out var token) && token is not null ? Sign("csrf:" + token) : string.Empty;

    public bool CheckCsrf(HttpContext context, string? presented)
    {
        var expected = CsrfToken(context);
        return expected.Length > 0 && presented is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(presented));
    }

    private string Sign(string text)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes("recsys-dashboard:" + options.Value.AdminApiKey));
        return WebEncoders.Base64UrlEncode(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));
    }
}
