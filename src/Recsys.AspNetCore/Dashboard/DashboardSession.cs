using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using Recsys.Serving;

namespace Recsys.AspNetCore.Dashboard;

// The dashboard's sign-in: the admin key is entered once, in a form, and never stored: the browser keeps a session
// cookie (no expiry, HttpOnly, SameSite=Strict, scoped to the dashboard's path) holding the operator's name, the time,
// a random session id and an HMAC of them keyed by the admin key's hash. Every replica sharing the key accepts it;
// changing the key signs everyone out; a session lasts at most 12 hours. Signing out revokes the session id: this
// replica refuses it at once, and every replica does when the host has a distributed cache (Redis) to share the
// revocation through. Forms carry a second HMAC of the cookie (the CSRF token).
internal sealed class DashboardSession(IOptions<RecommenderHttpOptions> options, TimeProvider time, string path)
{
    public const string CookieName = "recsys_dashboard";
    private const string ActorItem = "recsys.dashboard.actor";
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(12);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);

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
        var id = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        var token = $"{name}.{issued}.{id}.{Sign($"{name}.{issued}.{id}")}";
        context.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = path,
            IsEssential = true,
        });
    }

    // Revokes the session (a copied cookie is refused from now on) and deletes the cookie.
    public async Task SignOutAsync(HttpContext context)
    {
        if (Read(context) is { } session)
        {
            var expires = session.Issued + MaxAge;
            _revoked[session.Id] = expires;
            foreach (var (id, until) in _revoked)
            {
                if (until < time.GetUtcNow())
                {
                    _revoked.TryRemove(id, out _);
                }
            }

            if (context.RequestServices.GetKeyedService<IDistributedCache>(RecsysServiceKeys.Cache) is { } shared)
            {
                await shared.SetAsync(RevokedKey(session.Id), [1], new DistributedCacheEntryOptions { AbsoluteExpiration = expires }, context.RequestAborted).ConfigureAwait(false);
            }
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = path });
    }

    // Checks the request's session once (signature, age, revocation here and in the distributed cache) and remembers the
    // operator for the request; every page and action reads it through Actor.
    public async Task ResolveAsync(HttpContext context)
    {
        string? actor = null;
        if (Read(context) is { } session && !_revoked.ContainsKey(session.Id))
        {
            var shared = context.RequestServices.GetKeyedService<IDistributedCache>(RecsysServiceKeys.Cache);
            if (shared is null || await shared.GetAsync(RevokedKey(session.Id), context.RequestAborted).ConfigureAwait(false) is null)
            {
                actor = session.Actor;
            }
        }

        context.Items[ActorItem] = actor;
    }

    // The signed-in operator of this request, or null.
    public string? Actor(HttpContext context) => context.Items.TryGetValue(ActorItem, out var actor) ? actor as string : null;

    public string CsrfToken(HttpContext context) =>
        Actor(context) is not null && context.Request.Cookies.TryGetValue(CookieName, out var token) && token is not null ? Sign("csrf:" + token) : string.Empty;

    public bool CheckCsrf(HttpContext context, string? presented)
    {
        var expected = CsrfToken(context);
        return expected.Length > 0 && presented is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(presented));
    }

    private static string RevokedKey(string id) => "recsys:dashboard:revoked:" + id;

    // The cookie's session when its signature and age are right (revocation aside), else null.
    private (string Actor, DateTimeOffset Issued, string Id)? Read(HttpContext context)
    {
        if (!KeyConfigured || !context.Request.Cookies.TryGetValue(CookieName, out var token) || token is null || token.Length > 1024)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 4 || !long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds is < 0 or > 253402300799)
        {
            return null;
        }

        var expected = Encoding.ASCII.GetBytes(Sign($"{parts[0]}.{parts[1]}.{parts[2]}"));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[3])))
        {
            return null;
        }

        var issued = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var age = time.GetUtcNow() - issued;
        if (age < TimeSpan.FromMinutes(-5) || age > MaxAge)
        {
            return null;
        }

        try
        {
            return (Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[0])), issued, parts[2]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private string Sign(string text)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes("recsys-dashboard:" + options.Value.AdminApiKey));
        return WebEncoders.Base64UrlEncode(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));
    }
}
