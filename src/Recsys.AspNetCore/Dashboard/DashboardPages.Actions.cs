using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Recsys.Registry;
using Recsys.Retraining;
using Recsys.Runs;
using Recsys.Serving;

namespace Recsys.AspNetCore.Dashboard;

// Actions: each is a confirmation page (GET, read-only: it says what will change) and a POST that needs the signed-in
// session and the form's CSRF token, runs the registry call with the operator as actor ("dashboard:NAME", so the
// audit history names them), and reloads this replica so it serves the change at once (other replicas follow the
// registry as usual).
internal sealed partial class DashboardPages
{
    public async Task<IResult> ConfirmAsync(HttpContext context, string name)
    {
        var registry = context.RequestServices.GetRequiredService<IModelRegistry>();
        var query = context.Request.Query;
        var action = query["action"].ToString();
        var versionText = query["version"].ToString();
        int? version = int.TryParse(versionText, out var parsed) ? parsed : null;
        var alias = query["alias"].ToString();
        var stageText = query["stage"].ToString();
        var versions = await registry.ListVersionsAsync(name, context.RequestAborted).ConfigureAwait(false);
        var html = new Html();
        html.Raw("<p class=\"crumbs\">").Link($"{prefix}/models/{Html.Url(name)}", name).Raw("</p>");
        var changes = new List<string>();
        ModelVersion? target = null;
        if (action is "promote" or "transition" or "set-alias")
        {
            if (version is null)
            {
                return Error(context, StatusCodes.Status400BadRequest, "Which version?", $"'{action}' needs a version number (?version=N).");
            }

            target = await registry.GetVersionAsync(name, version.Value, context.RequestAborted).ConfigureAwait(false);
        }

        switch (action)
        {
            case "promote":
                html.Element("h1", $"Promote v{target!.Version} to Production");
                changes.AddRange(versions.Where(v => v.Stage == ModelStage.Production && v.Version != target.Version).Select(v => $"v{v.Version}: Production → Archived"));
                changes.Add($"v{target.Version}: {target.Stage} → Production");
                break;
            case "transition":
                if (!Enum.TryParse<ModelStage>(stageText, ignoreCase: false, out var stage) || !Enum.IsDefined(stage))
                {
                    html.Element("h1", $"Move v{target!.Version} to a stage");
                    html.Raw($"<form method=\"get\" action=\"{prefix}/models/{Html.Url(name)}/confirm\" class=\"filters\">").Hidden("action", "transition").Hidden("version", versionText);
                    html.Raw("<label>Stage <select name=\"stage\">");
                    foreach (var s in Stages.Where(s => s != target.Stage.ToString()))
                    {
                        html.Raw($"<option value=\"{s}\">{s}</option>");
                    }

                    html.Raw("</select></label> <button type=\"submit\">Next</button></form>");
                    return Page(context, "Move to a stage", html);
                }

                html.Element("h1", $"Move v{target!.Version} to {stage}");
                if (stage == ModelStage.Production)
                {
                    changes.AddRange(versions.Where(v => v.Stage == ModelStage.Production && v.Version != target.Version).Select(v => $"v{v.Version}: Production → Archived"));
                }

                changes.Add($"v{target.Version}: {target.Stage} → {stage}");
                break;
            case "set-alias":
                if (alias.Length == 0)
                {
                    html.Element("h1", $"Point an alias at v{target!.Version}");
                    html.Raw($"<form method=\"get\" action=\"{prefix}/models/{Html.Url(name)}/confirm\" class=\"filters\">").Hidden("action", "set-alias").Hidden("version", versionText);
                    html.Raw("<label>Alias <input name=\"alias\" required maxlength=\"100\" placeholder=\"champion\"></label> <button type=\"submit\">Next</button></form>");
                    return Page(context, "Set an alias", html);
                }

                html.Element("h1", $"Point '{alias}' at v{target!.Version}");
                var holder = await registry.GetByAliasAsync(name, alias, context.RequestAborted).ConfigureAwait(false);
                changes.Add(holder is null ? $"alias '{alias}': new → v{target.Version}" : $"alias '{alias}': v{holder.Version} → v{target.Version}");
                break;
            case "remove-alias":
                var current = alias.Length == 0 ? null : await registry.GetByAliasAsync(name, alias, context.RequestAborted).ConfigureAwait(false);
                if (current is null)
                {
                    return Error(context, StatusCodes.Status404NotFound, "Unknown alias", $"The model '{name}' has no alias '{alias}'.");
                }

                html.Element("h1", $"Remove the alias '{alias}'");
                changes.Add($"alias '{alias}' (on v{current.Version}) is removed");
                break;
            case "rollback":
                html.Element("h1", "Roll Production back");
                var production = versions.FirstOrDefault(v => v.Stage == ModelStage.Production);
                var previous = production is null ? null : PreviousHolder(await registry.GetHistoryAsync(name, context.RequestAborted).ConfigureAwait(false), production.Version);
                if (production is null || previous is null)
                {
                    changes.Add("Nothing: the history has no earlier Production version, so the registry will refuse the rollback.");
                }
                else
                {
                    changes.Add($"v{production.Version}: Production → Archived");
                    changes.Add($"v{previous}: {versions.FirstOrDefault(v => v.Version == previous)?.Stage.ToString() ?? "?"} → Production (the version Production had before v{production.Version})");
                }

                break;
            default:
                return Error(context, StatusCodes.Status400BadRequest, "Unknown action", $"'{action}' is not an action; the actions are promote, transition, set-alias, remove-alias and rollback.");
        }

        html.Raw("<section class=\"changes\" id=\"changes\"><h2>What will change</h2><ul>");
        foreach (var change in changes)
        {
            html.Raw("<li>").Text(change).Raw("</li>");
        }

        html.Raw("</ul></section>");
        if (session.Actor(context) is not { } actor)
        {
            html.Raw("<p class=\"error\">Sign in with the admin key to make this change. ").Link(SignInLink(context), "Sign in").Raw("</p>");
            return Page(context, "Confirm", html);
        }

        html.Raw($"<form method=\"post\" action=\"{prefix}/models/{Html.Url(name)}/actions\" id=\"confirm-form\">");
        html.Hidden("action", action).Hidden("version", versionText).Hidden("alias", alias).Hidden("stage", stageText).Hidden("csrf", session.CsrfToken(context));
        html.Hidden("expected", StateToken(versions)); // the stages and aliases this page showed: a change since is refused
        html.Raw("<label>Reason <input name=\"reason\" maxlength=\"500\" placeholder=\"optional, kept in the audit history\"></label> ");
        html.Raw("<button type=\"submit\" class=\"primary\">Confirm as ").Text(actor).Raw("</button> ").Link($"{prefix}/models/{Html.Url(name)}", "Cancel").Raw("</form>");
        return Page(context, "Confirm", html);
    }

    public async Task<IResult> ActAsync(HttpContext context, string name)
    {
        var (form, refused) = await SignedFormAsync(context).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        var actor = $"dashboard:{session.Actor(context)}";
        var registry = context.RequestServices.GetRequiredService<IModelRegistry>();
        var reason = form["reason"].ToString() is { Length: > 0 } r ? r : null;
        var action = form["action"].ToString();
        int.TryParse(form["version"], out var version);
        var alias = form["alias"].ToString();
        var ct = context.RequestAborted;

        // The confirmation showed what would change given the stages and aliases then; if another tab, operator or run
        // changed them since, confirming would do something the page never showed: refuse, show what is there now.
        var now = await registry.ListVersionsAsync(name, ct).ConfigureAwait(false);
        if (!string.Equals(form["expected"].ToString(), StateToken(now), StringComparison.Ordinal))
        {
            var html = new Html();
            html.Element("h1", "The model changed since this confirmation was opened");
            html.Element("p", "Nothing was changed. Its stages and aliases are now as below; open the confirmation again to see what your change would do now.", "error problem");
            html.Raw("<section class=\"changes\" id=\"current-state\"><h2>Now</h2><ul>");
            foreach (var v in now.Where(v => v.Stage is ModelStage.Production or ModelStage.Staging || v.Aliases.Count > 0))
            {
                html.Raw("<li>").Text($"v{v.Version}: {v.Stage}{(v.Aliases.Count > 0 ? $", aliases {string.Join(", ", v.Aliases)}" : string.Empty)}").Raw("</li>");
            }

            html.Raw("</ul></section><p>");
            html.Link($"{prefix}/models/{Html.Url(name)}/confirm?action={Html.Url(action)}&version={Html.Url(form["version"].ToString())}&alias={Html.Url(alias)}&stage={Html.Url(form["stage"].ToString())}", "Open the confirmation again", "button");
            html.Raw("</p>");
            return Page(context, "Changed since", html, status: StatusCodes.Status409Conflict);
        }

        switch (action)
        {
            case "promote":
                await registry.TransitionStageAsync(name, version, ModelStage.Production, archiveExisting: true, actor, reason, ct).ConfigureAwait(false);
                break;
            case "transition" when Enum.TryParse<ModelStage>(form["stage"], ignoreCase: false, out var stage) && Enum.IsDefined(stage):
                await registry.TransitionStageAsync(name, version, stage, archiveExisting: stage == ModelStage.Production, actor, reason, ct).ConfigureAwait(false);
                break;
            case "set-alias" when alias.Length > 0:
                await registry.SetAliasAsync(name, alias, version, actor, reason, ct).ConfigureAwait(false);
                break;
            case "remove-alias" when alias.Length > 0:
                await registry.DeleteAliasAsync(name, alias, actor, reason, ct).ConfigureAwait(false);
                break;
            case "rollback":
                await registry.RollbackStageAsync(name, ModelStage.Production, actor, reason, ct).ConfigureAwait(false);
                break;
            default:
                return Error(context, StatusCodes.Status400BadRequest, "Unknown action", $"'{action}' with these fields is not an action (promote, transition with a stage, set-alias or remove-alias with an alias, rollback).");
        }

        await context.RequestServices.GetRequiredService<IRecommendationService>().ReloadAsync(force: false, ct).ConfigureAwait(false);
        return Results.Redirect($"{prefix}/models/{Html.Url(name)}?done={Html.Url(action)}&version={version}&alias={Html.Url(alias)}&stage={Html.Url(form["stage"].ToString())}", permanent: false, preserveMethod: false);
    }

    public IResult ConfirmRetrain(HttpContext context)
    {
        var html = new Html();
        html.Raw("<p class=\"crumbs\">").Link($"{prefix}/runs", "Runs").Raw("</p>");
        if (context.RequestServices.GetService<IRetrainingLauncher>() is not { } retraining)
        {
            return Error(context, StatusCodes.Status503ServiceUnavailable, "Retraining is not available", "This host has no retraining flow configured (services.AddRetraining(…)).");
        }

        html.Element("h1", "Start a retraining run");
        html.Raw("<section class=\"changes\" id=\"changes\"><h2>What will happen</h2><ul><li>").Text(
            retraining.Description)
            .Raw("</li></ul></section>");
        if (session.Actor(context) is not { } actor)
        {
            html.Raw("<p class=\"error\">Sign in with the admin key to start a run. ").Link(SignInLink(context), "Sign in").Raw("</p>");
            return Page(context, "Start a run", html);
        }

        html.Raw($"<form method=\"post\" action=\"{prefix}/runs\" id=\"confirm-form\">").Hidden("csrf", session.CsrfToken(context));
        html.Raw("<button type=\"submit\" class=\"primary\">Start as ").Text(actor).Raw("</button> ").Link($"{prefix}/runs", "Cancel").Raw("</form>");
        return Page(context, "Start a run", html);
    }

    public async Task<IResult> RetrainAsync(HttpContext context)
    {
        var (_, refused) = await SignedFormAsync(context).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        if (context.RequestServices.GetService<IRetrainingLauncher>() is not { } retraining)
        {
            return Error(context, StatusCodes.Status503ServiceUnavailable, "Retraining is not available", "This host has no retraining flow configured (services.AddRetraining(…)).");
        }

        try
        {
            var lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
            var (runId, _) = await retraining.StartAsync($"dashboard:{session.Actor(context)}", lifetime.ApplicationStopping).ConfigureAwait(false);
            return Results.Redirect($"{prefix}/runs/{Html.Url(runId)}");
        }
        catch (RunInProgressException e)
        {
            var running = (await context.RequestServices.GetRequiredService<IRunStore>().ListRunsAsync(e.ModelName, 20, context.RequestAborted).ConfigureAwait(false)).FirstOrDefault(r => r.State == Recsys.Runs.RunState.Running);
            var html = new Html();
            html.Element("h1", "A run is in progress");
            html.Element("p", e.Message, "error problem");
            if (running is not null)
            {
                html.Raw("<p>").Link($"{prefix}/runs/{Html.Url(running.Id)}", $"Follow run {running.Id}", "button").Raw("</p>");
            }

            return Page(context, "A run is in progress", html, status: StatusCodes.Status409Conflict);
        }
    }

    // The message after an action redirected back (?done=promote&version=4): only known actions, worded here, never
    // the query's text.
    private static string? Done(HttpContext context)
    {
        var query = context.Request.Query;
        var version = int.TryParse(query["version"], out var v) ? v : 0;
        var alias = query["alias"].ToString();
        var stage = Enum.TryParse<ModelStage>(query["stage"], ignoreCase: false, out var s) && Enum.IsDefined(s) ? s.ToString() : null;
        var aliasOk = alias.Length is > 0 and <= 64 && alias.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        return query["done"].ToString() switch
        {
            "promote" when version > 0 => $"Done: v{version} is in Production; this replica serves it.",
            "transition" when version > 0 && stage is not null => $"Done: v{version} moved to {stage}.",
            "set-alias" when version > 0 && aliasOk => $"Done: the alias '{alias}' points at v{version}.",
            "remove-alias" when aliasOk => $"Done: the alias '{alias}' was removed.",
            "rollback" => "Done: Production was rolled back to the version it had before.",
            _ => null,
        };
    }

    // A digest of a model's versions, stages and aliases: what a confirmation page showed (it goes back with the form).
    private static string StateToken(IEnumerable<ModelVersion> versions) =>
        Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join(";", versions.OrderBy(v => v.Version).Select(v => $"{v.Version}:{v.Stage}:{string.Join(",", v.Aliases.Order(StringComparer.Ordinal))}")))))[..22];

    // The version that held Production before `current` moved there, from the history (newest first).
    private static int? PreviousHolder(IReadOnlyList<RegistryChange> history, int current)
    {
        var moves = history.Where(c => c.ToStage == ModelStage.Production).OrderByDescending(c => c.Sequence).ToList();
        var arrival = moves.FindIndex(c => c.Version == current);
        return arrival < 0 ? null : moves.Skip(arrival + 1).FirstOrDefault(c => c.Version != current)?.Version;
    }

    // The posted form of a signed-in operator with this session's CSRF token; else the page that refuses it.
    private async Task<(IFormCollection Form, IResult? Refused)> SignedFormAsync(HttpContext context)
    {
        if (Refuse(context) is { } refused)
        {
            return (FormCollection.Empty, refused);
        }

        if (!context.Request.HasFormContentType)
        {
            return (FormCollection.Empty, NotAForm(context));
        }

        var form = await ReadFormAsync(context).ConfigureAwait(false);
        return session.CheckCsrf(context, form["csrf"])
            ? (form, null)
            : (form, Error(context, StatusCodes.Status403Forbidden, "Stale form", "The form's token does not match this session: open the confirmation page again."));
    }

    // 401 without a session (with the key configured), 403 when no key is configured: reads stay open either way.
    private IResult? Refuse(HttpContext context)
    {
        if (!session.KeyConfigured)
        {
            return Error(context, StatusCodes.Status403Forbidden, "Admin actions are disabled", "No admin key is configured (Recsys:AdminApiKey), so the dashboard is read-only.");
        }

        return session.Actor(context) is null
            ? Error(context, StatusCodes.Status401Unauthorized, "Sign in first", "Changes need the admin key: sign in on this dashboard, then confirm the change again.")
            : null;
    }

    private IResult NotAForm(HttpContext context) =>
        Error(context, StatusCodes.Status415UnsupportedMediaType, "Not a form", $"The dashboard's changes are HTML form posts (application/x-www-form-urlencoded); this request's body is '{context.Request.ContentType ?? "empty"}'.");

    private string SignInLink(HttpContext context) => $"{prefix}/signin?return={Html.Url(context.Request.Path + context.Request.QueryString)}";
}
