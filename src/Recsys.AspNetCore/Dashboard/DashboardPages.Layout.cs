using Microsoft.AspNetCore.Http;
using Recsys.Registry;

namespace Recsys.AspNetCore.Dashboard;

// The frame of every page, sign-in and sign-out, and errors as pages (the status code says what went wrong).
internal sealed partial class DashboardPages
{
    public IResult SignInPage(HttpContext context)
    {
        var html = new Html();
        html.Element("h1", "Sign in");
        if (!session.KeyConfigured)
        {
            html.Element("p", "No admin key is configured (Recsys:AdminApiKey): the dashboard is read-only.", "error");
            return Page(context, "Sign in", html);
        }

        html.Element("p", "Changes (promote, move to a stage, aliases, roll back, retrain) need the admin key. It is checked once and not kept: the browser holds a signed session cookie until it closes (12 hours at most).", "note");
        html.Raw($"<form method=\"post\" action=\"{prefix}/signin\" id=\"signin-form\" class=\"stack\">").Hidden("return", ReturnPath(context.Request.Query["return"]));
        html.Raw("<label>Your name (recorded as the actor of your changes) <input name=\"actor\" required maxlength=\"64\" autocomplete=\"username\"></label>");
        html.Raw("<label>Admin key <input name=\"key\" type=\"password\" required autocomplete=\"current-password\"></label>");
        html.Raw("<button type=\"submit\" class=\"primary\">Sign in</button></form>");
        return Page(context, "Sign in", html);
    }

    public async Task<IResult> SignInAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return NotAForm(context);
        }

        var form = await ReadFormAsync(context).ConfigureAwait(false);
        var actor = form["actor"].ToString().Trim();
        if (session.CheckKey(form["key"]) is { } problem)
        {
            return Error(context, StatusCodes.Status403Forbidden, "Not signed in", problem);
        }

        if (actor.Length is 0 or > 64 || actor.Any(char.IsControl))
        {
            return Error(context, StatusCodes.Status400BadRequest, "Name needed", "Give your name (1 to 64 characters): the audit history records it with every change you make.");
        }

        session.SignIn(context, actor);
        return Results.Redirect(ReturnPath(form["return"]));
    }

    public async Task<IResult> SignOutAsync(HttpContext context)
    {
        if (session.Actor(context) is not null)
        {
            var form = context.Request.HasFormContentType ? await ReadFormAsync(context).ConfigureAwait(false) : FormCollection.Empty;
            if (!session.CheckCsrf(context, form["csrf"]))
            {
                return Error(context, StatusCodes.Status403Forbidden, "Stale form", "The sign-out form's token does not match this session: use the Sign out button of a page of this dashboard.");
            }
        }

        await session.SignOutAsync(context).ConfigureAwait(false);
        return Results.Redirect(prefix.Length == 0 ? "/" : prefix);
    }

    /// <summary>The largest dashboard form: a confirmation carries a handful of short fields.</summary>
    internal const int MaxFormBytes = 16 * 1024;

    // Dashboard forms are small: a larger body, too many fields or a long value is refused with 413 before it is read
    // whole (the API answers 413 over 64 KiB the same way).
    private static async Task<IFormCollection> ReadFormAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxFormBytes)
        {
            throw new FormTooLargeException($"The form is {context.Request.ContentLength:N0} bytes; a dashboard form is at most {MaxFormBytes:N0} bytes.");
        }

        try
        {
            return await context.Request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions { ValueCountLimit = 32, KeyLengthLimit = 256, ValueLengthLimit = MaxFormBytes, MultipartBodyLengthLimit = MaxFormBytes }, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new FormTooLargeException($"The form is larger than a dashboard form can be (at most 32 fields and {MaxFormBytes:N0} bytes): {e.Message}");
        }
    }

    public IResult Error(HttpContext context, int status, string title, string detail)
    {
        var html = new Html();
        html.Element("h1", title);
        html.Element("p", detail, "error problem");
        return Page(context, title, html, status: status);
    }

    public IResult Page(HttpContext context, string title, Html body, bool script = false, int status = StatusCodes.Status200OK, int? refreshSeconds = null)
    {
        var actor = session.Actor(context);
        var html = new Html();
        html.Raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Raw("<link rel=\"icon\" href=\"data:,\">"); // no favicon request (it would 404)
        if (refreshSeconds is { } seconds)
        {
            html.Raw($"<meta http-equiv=\"refresh\" content=\"{seconds}\">");
        }

        html.Raw("<title>").Text(title).Raw(" · Recsys</title>");
        html.Raw($"<link rel=\"stylesheet\" href=\"{prefix}/assets/dashboard.css\">");
        if (script)
        {
            html.Raw($"<script src=\"{prefix}/assets/dashboard.js\" defer></script>");
        }

        html.Raw("</head><body><header><nav>");
        html.Raw($"<a class=\"brand\" href=\"{Home}\">Recsys</a>");
        html.Raw($"<a href=\"{Home}\">Models</a><a href=\"{prefix}/runs\">Runs</a><a href=\"{prefix}/audit\">Audit</a><a href=\"{prefix}/live\">Live</a>");
        html.Raw("</nav><div class=\"session\" id=\"session\">");
        if (actor is not null)
        {
            html.Raw("Signed in as <b>").Text(actor).Raw($"</b> <form method=\"post\" action=\"{prefix}/signout\">").Hidden("csrf", session.CsrfToken(context)).Raw("<button type=\"submit\">Sign out</button></form>");
        }
        else if (session.KeyConfigured)
        {
            html.Raw("Read-only · ").Link($"{prefix}/signin?return={Html.Url(context.Request.Path + context.Request.QueryString)}", "Sign in");
        }
        else
        {
            html.Raw("Read-only (no admin key configured)");
        }

        html.Raw("</div></header><main>").Raw(body.ToString()).Raw("</main></body></html>");
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(html.ToString(), "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    private string Home => prefix.Length == 0 ? "/" : prefix;

    // Only a path of this dashboard: never an absolute URL (no open redirect).
    private string ReturnPath(string? requested) =>
        requested is { Length: > 0 } r && r.StartsWith(Home, StringComparison.Ordinal) && !r.StartsWith("//", StringComparison.Ordinal) && !r.Contains('\\', StringComparison.Ordinal)
            ? r
            : Home;

    // Registry errors as pages: a missing model or version is 404, a refused change 409.
    public static int StatusOf(RegistryException exception) =>
        exception is RegistryEntryNotFoundException ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict;
}
