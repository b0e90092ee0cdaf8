using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Registry;
using Recsys.Runs;
using Recsys.Serving;

namespace Recsys.AspNetCore.Dashboard;

// The dashboard's pages, rendered on the server as plain HTML (one stylesheet and, for the live page, one small
// script, both served from this assembly). Reads need nothing; every action needs the signed-in admin session.
internal sealed partial class DashboardPages(string prefix, DashboardSession session, LiveServingMonitor live, TimeProvider time)
{
    private static readonly string[] Stages = ["None", "Staging", "Production", "Archived"];

    public string Prefix => prefix;

    public DashboardSession Session => session;

    public async Task<IResult> OverviewAsync(HttpContext context)
    {
        var registry = context.RequestServices.GetRequiredService<IModelRegistry>();
        var service = context.RequestServices.GetRequiredService<IRecommendationService>();
        var models = await registry.ListModelsAsync(null, context.RequestAborted).ConfigureAwait(false);
        var stats = await service.GetStatsAsync(context.RequestAborted).ConfigureAwait(false);
        var html = new Html();
        html.Element("h1", "Models");
        ServedBox(context, html, stats);
        html.Raw("<div class=\"scroll\" tabindex=\"0\"><table class=\"grid\" id=\"models\"><thead><tr><th>Model</th><th>Versions</th><th>Production</th><th>Staging</th><th>Updated</th></tr></thead><tbody>");
        foreach (var model in models)
        {
            var versions = await registry.ListVersionsAsync(model.Name, context.RequestAborted).ConfigureAwait(false);
            html.Raw("<tr><td>").Link($"{prefix}/models/{Html.Url(model.Name)}", model.Name).Raw("</td>");
            html.Raw($"<td class=\"num\">{versions.Count}</td><td>{StageList(versions, ModelStage.Production)}</td><td>{StageList(versions, ModelStage.Staging)}</td>");
            html.Raw($"<td>{Html.Time(model.UpdatedAt)}</td></tr>");
        }

        html.Raw("</tbody></table></div>");
        if (models.Count == 0)
        {
            html.Element("p", "The registry holds no model yet.", "empty");
        }

        return Page(context, "Models", html);
    }

    public async Task<IResult> ModelAsync(HttpContext context, string name)
    {
        var registry = context.RequestServices.GetRequiredService<IModelRegistry>();
        var versions = (await registry.ListVersionsAsync(name, context.RequestAborted).ConfigureAwait(false)).OrderByDescending(v => v.Version).ToList();
        var stats = await context.RequestServices.GetRequiredService<IRecommendationService>().GetStatsAsync(context.RequestAborted).ConfigureAwait(false);
        var served = stats.Model is { } m && m.Name == name ? m.Version : (int?)null;
        var signedIn = session.Actor(context) is not null;
        var html = new Html();
        html.Element("h1", name);
        if (Done(context) is { } done)
        {
            html.Raw("<p class=\"notice\" id=\"notice\" role=\"status\">").Text(done).Raw("</p>");
        }

        ServedBox(context, html, stats);
        html.Raw("<div class=\"scroll\" tabindex=\"0\"><table class=\"grid\" id=\"versions\"><thead><tr><th>Version</th><th>Stage</th><th>Aliases</th><th>Algorithm</th><th>Parameters</th><th>Holdout metrics</th><th>Trained on</th><th>Data</th><th>Created</th><th>Size</th>");
        html.Raw(signedIn ? "<th>Actions</th></tr></thead><tbody>" : "</tr></thead><tbody>");
        var (pageNumber, pages) = Paging(context, versions.Count, VersionsPerPage);
        foreach (var v in versions.Skip((pageNumber - 1) * VersionsPerPage).Take(VersionsPerPage))
        {
            html.Raw($"<tr data-version=\"{v.Version}\"><td class=\"num\">v{v.Version}{(served == v.Version ? " <span class=\"badge serving\" title=\"this replica serves it\">serving here</span>" : string.Empty)}");
            if (v.Tags.TryGetValue("run_id", out var runId))
            {
                html.Raw("<br>").Link($"{prefix}/runs/{Html.Url(runId)}", "its run", "run-link");
            }

            html.Raw("</td>");
            html.Raw($"<td><span class=\"stage {v.Stage.ToString().ToLowerInvariant()}\">{v.Stage}</span>{(v.Status != ModelVersionStatus.Ready ? $" <span class=\"badge\">{v.Status}</span>" : string.Empty)}</td>");
            html.Raw("<td>").Text(string.Join(", ", v.Aliases)).Raw("</td><td>").Text(v.Trainer).Raw("</td><td class=\"params\">");
            var parameters = Html.Parameters(v.Parameters);
            foreach (var (key, value) in parameters.Take(8))
            {
                html.Raw("<span>").Text(key).Raw("=").Text(value.Length > 40 ? value[..40] + "…" : value).Raw("</span> ");
            }

            if (parameters.Count == 0)
            {
                html.Raw("<span>none recorded</span>");
            }

            html.Raw("</td><td class=\"metrics\">");
            foreach (var (metric, value) in v.Metrics.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                html.Raw($"<span data-metric=\"{Html.Encode(metric)}\">{Html.Encode(metric)} <b>{Html.Number(value)}</b></span> ");
            }

            html.Raw("</td>");
            if (v.Lineage is { } lineage)
            {
                html.Raw($"<td>{Html.Count(lineage.Rows)} rows<br>{Html.Count(lineage.Users)} users · {Html.Count(lineage.Items)} items{(lineage.Refit ? "<br><i>refit on all data</i>" : string.Empty)}</td>");
                html.Raw("<td class=\"mono\" title=\"").Text(lineage.DataFingerprint).Raw("\">").Text(lineage.DataFingerprint.Length > 12 ? lineage.DataFingerprint[..12] : lineage.DataFingerprint).Raw("</td>");
            }
            else
            {
                html.Raw("<td>—</td><td>—</td>");
            }

            html.Raw($"<td>{Html.Time(v.CreatedAt)}</td><td class=\"num\">{Html.Bytes(v.ArtifactSize)}</td>");
            if (signedIn)
            {
                html.Raw("<td class=\"actions\">");
                if (v.Stage != ModelStage.Production)
                {
                    html.Link($"{prefix}/models/{Html.Url(name)}/confirm?action=promote&version={v.Version}", "Promote…", "button");
                }

                html.Link($"{prefix}/models/{Html.Url(name)}/confirm?action=transition&version={v.Version}", "Stage…", "button");
                html.Link($"{prefix}/models/{Html.Url(name)}/confirm?action=set-alias&version={v.Version}", "Alias…", "button");
                foreach (var alias in v.Aliases)
                {
                    html.Link($"{prefix}/models/{Html.Url(name)}/confirm?action=remove-alias&alias={Html.Url(alias)}", $"Remove {alias}…", "button");
                }

                html.Raw("</td>");
            }

            html.Raw("</tr>");
        }

        html.Raw("</tbody></table></div>");
        Pager(html, context, "versions", pageNumber, pages, versions.Count);
        if (signedIn && versions.Any(v => v.Stage == ModelStage.Production))
        {
            html.Raw("<p>").Link($"{prefix}/models/{Html.Url(name)}/confirm?action=rollback", "Roll Production back…", "button").Raw("</p>");
        }

        CompareForm(html, name, versions, versions.Skip(1).FirstOrDefault()?.Version, versions.FirstOrDefault()?.Version);
        // The holdout's size is lineage, not a quality metric: it is not charted.
        var metrics = versions.SelectMany(v => v.Metrics.Keys).Where(m => m != "test_size").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (metrics.Count > 0)
        {
            html.Element("h2", "Metrics across versions");
            html.Raw("<div class=\"charts\">");
            foreach (var metric in metrics)
            {
                Svg.MetricChart(html, metric, versions);
            }

            html.Raw("</div>");
        }

        return Page(context, name, html);
    }

    public async Task<IResult> CompareAsync(HttpContext context, string name)
    {
        var registry = context.RequestServices.GetRequiredService<IModelRegistry>();
        if (!int.TryParse(context.Request.Query["a"], out var a) || !int.TryParse(context.Request.Query["b"], out var b))
        {
            return Error(context, StatusCodes.Status400BadRequest, "Choose two versions", "The comparison needs two version numbers, a and b (for example ?a=1&b=2).");
        }

        var versions = await registry.ListVersionsAsync(name, context.RequestAborted).ConfigureAwait(false);
        var left = await registry.GetVersionAsync(name, a, context.RequestAborted).ConfigureAwait(false);
        var right = await registry.GetVersionAsync(name, b, context.RequestAborted).ConfigureAwait(false);
        var html = new Html();
        html.Raw("<p class=\"crumbs\">").Link($"{prefix}/models/{Html.Url(name)}", name).Raw("</p>");
        html.Element("h1", $"v{a} and v{b}");
        if (left.Lineage?.Evaluation?.Split is { } leftSplit && right.Lineage?.Evaluation?.Split is { } rightSplit
            && (leftSplit != rightSplit || left.Lineage.Evaluation.TestFingerprint != right.Lineage.Evaluation.TestFingerprint))
        {
            // Metrics measured on different holdouts do not compare: say so above the differences.
            html.Raw("<p class=\"error\" id=\"split-warning\" role=\"note\">").Text(
                $"v{a} and v{b} were measured on different holdouts ({Shown(context, leftSplit)} and {Shown(context, rightSplit)}): the differences below compare numbers from different test data, not the models.").Raw("</p>");
        }

        CompareForm(html, name, versions, a, b);
        html.Raw($"<div class=\"scroll\" tabindex=\"0\"><table class=\"grid compare\" id=\"compare\"><thead><tr><th></th><th>v{a}</th><th>v{b}</th><th>v{b} − v{a}</th></tr></thead><tbody>");
        Row(html, "Stage", left.Stage.ToString(), right.Stage.ToString());
        Row(html, "Aliases", string.Join(", ", left.Aliases), string.Join(", ", right.Aliases));
        Row(html, "Algorithm", left.Trainer, right.Trainer);
        Row(html, "Created", Html.Time(left.CreatedAt), Html.Time(right.CreatedAt));
        html.Raw("<tr class=\"section\"><th colspan=\"4\">Holdout metrics</th></tr>");
        foreach (var metric in left.Metrics.Keys.Union(right.Metrics.Keys).Order(StringComparer.Ordinal))
        {
            var (l, r) = (left.Metrics.GetValueOrDefault(metric, double.NaN), right.Metrics.GetValueOrDefault(metric, double.NaN));
            var delta = double.IsNaN(l) || double.IsNaN(r) ? string.Empty : (r - l >= 0 ? "+" : string.Empty) + Html.Number(r - l);
            html.Raw($"<tr data-metric=\"{Html.Encode(metric)}\"><th>{Html.Encode(metric)}</th><td class=\"num\">{(double.IsNaN(l) ? "—" : Html.Number(l))}</td><td class=\"num\">{(double.IsNaN(r) ? "—" : Html.Number(r))}</td><td class=\"num\">{delta}</td></tr>");
        }

        html.Raw("<tr class=\"section\"><th colspan=\"4\">Parameters</th></tr>");
        var lp = Html.Parameters(left.Parameters).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var rp = Html.Parameters(right.Parameters).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var key in lp.Keys.Union(rp.Keys).Order(StringComparer.Ordinal))
        {
            Row(html, key, lp.GetValueOrDefault(key) ?? "—", rp.GetValueOrDefault(key) ?? "—");
        }

        if (lp.Count == 0 && rp.Count == 0)
        {
            Row(html, "(all)", "none recorded", "none recorded");
        }

        html.Raw("<tr class=\"section\"><th colspan=\"4\">Lineage</th></tr>");
        Row(html, "Rows", left.Lineage?.Rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), right.Lineage?.Rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        Row(html, "Users", left.Lineage?.Users.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), right.Lineage?.Users.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        Row(html, "Items", left.Lineage?.Items.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), right.Lineage?.Items.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        Row(html, "Data fingerprint", left.Lineage?.DataFingerprint, right.Lineage?.DataFingerprint);
        Row(html, "Split", left.Lineage?.Split, right.Lineage?.Split);
        Row(html, "Refit on all data", left.Lineage?.Refit.ToString(), right.Lineage?.Refit.ToString());
        Row(html, "Data source", Shown(context, left.Lineage?.DataSource), Shown(context, right.Lineage?.DataSource));
        Row(html, "Data version", left.Lineage?.DataVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture), right.Lineage?.DataVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row(html, "Library", left.Lineage?.LibraryVersion, right.Lineage?.LibraryVersion);
        html.Raw("</tbody></table></div>");
        return Page(context, $"{name}: v{a} and v{b}", html);
    }

    public async Task<IResult> RunsAsync(HttpContext context)
    {
        var runs = context.RequestServices.GetRequiredService<IRunStore>();
        var model = context.Request.Query["model"].ToString() is { Length: > 0 } m ? m : null;
        var list = await runs.ListRunsAsync(model, 100, context.RequestAborted).ConfigureAwait(false);
        var html = new Html();
        html.Element("h1", model is null ? "Runs" : $"Runs of {model}");
        if (session.Actor(context) is not null && context.RequestServices.GetService<IRetrainingLauncher>() is not null)
        {
            html.Raw("<p>").Link($"{prefix}/runs/confirm", "Start a retraining run…", "button").Raw("</p>");
        }

        html.Raw("<div class=\"scroll\" tabindex=\"0\"><table class=\"grid\" id=\"runs\"><thead><tr><th>Run</th><th>Model</th><th>Trigger</th><th>State</th><th>Started</th><th>Duration</th><th>Outcome</th></tr></thead><tbody>");
        var now = time.GetUtcNow();
        foreach (var run in list)
        {
            html.Raw($"<tr data-run=\"{Html.Encode(run.Id)}\"><td class=\"mono nowrap\">").Link($"{prefix}/runs/{Html.Url(run.Id)}", run.Id).Raw("</td>");
            html.Raw("<td>").Text(run.ModelName).Raw("</td><td>").Text(run.Trigger).Raw("</td>");
            html.Raw($"<td><span class=\"state {run.State.ToString().ToLowerInvariant()}\">{run.State}</span></td><td class=\"nowrap\">{Html.Time(run.StartedAt)}</td>");
            html.Raw($"<td class=\"num\">{Html.Duration((run.FinishedAt ?? now) - run.StartedAt)}</td><td>").Text(Shorten(Shown(context, run.Error ?? run.Decision) ?? string.Empty, 180)).Raw("</td></tr>");
        }

        html.Raw("</tbody></table></div>");
        if (list.Count == 0)
        {
            html.Element("p", "No run is recorded.", "empty");
        }

        return Page(context, "Runs", html);
    }

    // Free text as a reader may see it: whole for a signed-in operator; without the machine's paths for anyone else
    // (the API hides the run history behind the admin key for the same reason).
    private string? Shown(HttpContext context, string? text) => session.Actor(context) is null ? Redaction.Paths(text) : text;

    public async Task<IResult> RunAsync(HttpContext context, string id)
    {
        var run = id.Length > 100 ? null : await context.RequestServices.GetRequiredService<IRunStore>().GetRunAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (run is null)
        {
            return Error(context, StatusCodes.Status404NotFound, "Unknown run", $"There is no run '{(id.Length > 100 ? id[..100] + "…" : id)}'.");
        }

        var now = time.GetUtcNow();
        var html = new Html();
        html.Raw("<p class=\"crumbs\">").Link($"{prefix}/runs", "Runs").Raw("</p>");
        html.Raw("<h1>Run <span class=\"mono\">").Text(run.Id).Raw("</span></h1>");
        html.Raw("<dl class=\"facts\">");
        Fact(html, "Model", run.ModelName);
        Fact(html, "Trigger", run.Trigger);
        Fact(html, "State", run.State.ToString());
        Fact(html, "Started", Html.Time(run.StartedAt));
        Fact(html, "Duration", Html.Duration((run.FinishedAt ?? now) - run.StartedAt));
        Fact(html, "Worker", session.Actor(context) is null ? "(sign in to see the worker's host and process)" : run.Owner);
        Fact(html, "Stored interactions at start", Html.Count(run.InteractionCount));
        html.Raw("</dl>");
        if (run.Decision is not null)
        {
            // One entry per model ("model: …" parts are joined with " | "), then its clauses (joined with "; ").
            html.Raw("<section class=\"decision\" id=\"decision\"><h2>Promotion decision</h2>");
            foreach (var part in run.Decision.Split(" | "))
            {
                html.Raw("<ul>");
                foreach (var clause in part.Split("; "))
                {
                    html.Raw("<li>").Text(Shown(context, clause)!).Raw("</li>");
                }

                html.Raw("</ul>");
            }

            html.Raw("</section>");
        }

        if (run.Error is not null)
        {
            html.Raw("<section class=\"error\" id=\"run-error\"><h2>Error</h2><p>").Text(Shown(context, run.Error)!).Raw("</p></section>");
        }

        html.Element("h2", "Steps");
        Svg.Timeline(html, run, now);
        html.Raw("<div class=\"scroll\" tabindex=\"0\"><table class=\"grid\" id=\"steps\"><thead><tr><th>Step</th><th>State</th><th>Attempts</th><th>Started</th><th>Duration</th><th>Detail or error</th></tr></thead><tbody>");
        foreach (var step in run.Steps)
        {
            html.Raw("<tr><td>").Text(step.Name).Raw($"</td><td><span class=\"state {step.State.ToString().ToLowerInvariant()}\">{step.State}</span></td>");
            html.Raw($"<td class=\"num\">{step.Attempts}{(step.Attempts > 1 ? " (retried)" : string.Empty)}</td><td>{Html.Time(step.StartedAt)}</td>");
            html.Raw($"<td class=\"num\">{Html.Duration((step.FinishedAt ?? now) - step.StartedAt)}</td><td>").Text(Shown(context, step.Error ?? step.Detail) ?? string.Empty).Raw("</td></tr>");
        }

        html.Raw("</tbody></table></div>");
        // A run still going refreshes itself every 5 seconds (no script: a meta refresh).
        return Page(context, $"Run {run.Id}", html, refreshSeconds: run.State == RunState.Running ? 5 : null);
    }

    public async Task<IResult> AuditAsync(HttpContext context)
    {
        var registry = context.RequestServices.GetRequiredService<IModelRegistry>();
        var models = await registry.ListModelsAsync(null, context.RequestAborted).ConfigureAwait(false);
        var model = context.Request.Query["model"].ToString();
        var actor = context.Request.Query["actor"].ToString();
        var kindText = context.Request.Query["kind"].ToString();
        RegistryChangeKind? kind = null;
        if (kindText.Length > 0)
        {
            if (!Enum.TryParse<RegistryChangeKind>(kindText, ignoreCase: false, out var k) || !Enum.IsDefined(k))
            {
                return Error(context, StatusCodes.Status400BadRequest, "Unknown change kind", $"'{kindText}' is not a kind of change; the kinds are {string.Join(", ", Enum.GetNames<RegistryChangeKind>())}.");
            }

            kind = k;
        }

        var changes = new List<RegistryChange>();
        foreach (var m in models.Where(m => model.Length == 0 || m.Name == model))
        {
            changes.AddRange(await registry.GetHistoryAsync(m.Name, context.RequestAborted).ConfigureAwait(false));
        }

        var shown = changes
            .Where(c => kind is null || c.Kind == kind)
            .Where(c => actor.Length == 0 || c.Actor.Contains(actor, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(c => c.Sequence)
            .ToList();
        var (pageNumber, pages) = Paging(context, shown.Count, ChangesPerPage);
        var total = shown.Count;
        shown = [.. shown.Skip((pageNumber - 1) * ChangesPerPage).Take(ChangesPerPage)];
        var html = new Html();
        html.Element("h1", "Audit history");
        html.Raw($"<form method=\"get\" action=\"{prefix}/audit\" class=\"filters\"><label>Model <select name=\"model\"><option value=\"\">all</option>");
        foreach (var m in models)
        {
            html.Raw("<option").Attribute("value", m.Name).Raw(m.Name == model ? " selected" : string.Empty).Raw(">").Text(m.Name).Raw("</option>");
        }

        html.Raw("</select></label> <label>Actor <input name=\"actor\"").Attribute("value", actor).Raw("></label> <label>Kind <select name=\"kind\"><option value=\"\">all</option>");
        foreach (var name in Enum.GetNames<RegistryChangeKind>())
        {
            html.Raw($"<option value=\"{name}\"{(name == kindText ? " selected" : string.Empty)}>{name}</option>");
        }

        html.Raw("</select></label> <button type=\"submit\">Filter</button></form>");
        html.Raw("<div class=\"scroll\" tabindex=\"0\"><table class=\"grid\" id=\"audit\"><thead><tr><th>#</th><th>When</th><th>Model</th><th>Change</th><th>Version</th><th>Stage</th><th>Alias</th><th>Actor</th><th>Reason</th></tr></thead><tbody>");
        foreach (var c in shown)
        {
            html.Raw($"<tr data-kind=\"{c.Kind}\"><td class=\"num\">{c.Sequence}</td><td>{Html.Time(c.At)}</td><td>").Text(c.ModelName).Raw($"</td><td>{c.Kind}</td><td class=\"num\">v{c.Version}</td>");
            html.Raw($"<td>{(c.FromStage is null && c.ToStage is null ? string.Empty : $"{c.FromStage?.ToString() ?? "—"} → {c.ToStage?.ToString() ?? "—"}")}</td>");
            html.Raw("<td>").Text(c.Alias is null ? string.Empty : c.PreviousVersion is { } p ? $"{c.Alias} (was v{p})" : c.Alias).Raw("</td>");
            html.Raw("<td class=\"actor\">");
            if (c.Actor.StartsWith("run ", StringComparison.Ordinal) && c.Actor.Length < 100)
            {
                html.Link($"{prefix}/runs/{Html.Url(c.Actor[4..])}", c.Actor);
            }
            else
            {
                html.Text(c.Actor);
            }

            html.Raw("</td><td>").Text(c.Reason ?? string.Empty).Raw("</td></tr>");
        }

        html.Raw("</tbody></table></div>");
        Pager(html, context, "changes", pageNumber, pages, total);
        if (shown.Count == 0)
        {
            html.Element("p", "No change matches.", "empty");
        }

        return Page(context, "Audit history", html);
    }

    public async Task<IResult> LiveAsync(HttpContext context)
    {
        var html = new Html();
        html.Element("h1", "Live serving");
        html.Raw("<p class=\"note\">This replica: the last 10 seconds in the tiles, the last minute in the charts; refreshed every 2 seconds. Latency is the whole HTTP request for recommendations on the server (what a client waits for, less the network); compute is the model's part of it.</p>");
        html.Raw($"<div class=\"tiles\" id=\"live\" data-source=\"{prefix}/live.json\">");
        var figures = await LiveFiguresAsync(context).ConfigureAwait(false);
        foreach (var (id, label) in LiveTiles)
        {
            html.Raw($"<div class=\"tile\"><span class=\"label\">{Html.Encode(label)}</span><span class=\"value\" id=\"live-{id}\">{Html.Encode(figures[id])}</span></div>");
        }

        html.Raw("</div><div class=\"charts\" id=\"live-history\">").Raw(figures["history"]).Raw("</div>");
        return Page(context, "Live serving", html, script: true);
    }

    public async Task<IResult> LiveJsonAsync(HttpContext context) => Results.Json(await LiveFiguresAsync(context).ConfigureAwait(false));

    private static readonly (string Id, string Label)[] LiveTiles =
    [
        ("rps", "Requests/s"), ("p50", "p50 latency"), ("p95", "p95 latency"), ("p99", "p99 latency"), ("compute", "p99 compute"),
        ("cache", "Cache hit ratio"), ("fallbacks", "Fallbacks"), ("requests", "Requests since start"), ("loads", "Model loads (failed)"),
        ("served", "Serving"), ("error", "Last load error"),
    ];

    // The live page's figures as text, one per tile, and the history charts as SVG ("history"): the page renders them
    // and its script replaces them every 2 seconds from live.json.
    private async Task<Dictionary<string, string>> LiveFiguresAsync(HttpContext context)
    {
        var stats = await context.RequestServices.GetRequiredService<IRecommendationService>().GetStatsAsync(context.RequestAborted).ConfigureAwait(false);
        var s = live.Snapshot(10);
        var history = new Html();
        Svg.LiveHistory(history, "requests", "Requests/s", s.History.Select(h => (h.UnixSecond, (double?)h.Requests)).ToList(), "/s");
        Svg.LiveHistory(history, "p99", "p99 HTTP latency", s.History.Select(h => (h.UnixSecond, h.HttpP99Ms)).ToList(), " ms");
        return new Dictionary<string, string>
        {
            ["rps"] = Html.Number(s.RequestsPerSecond),
            ["p50"] = Ms(s.P50Ms),
            ["p95"] = Ms(s.P95Ms),
            ["p99"] = Ms(s.P99Ms),
            ["compute"] = Ms(s.ComputeP99Ms),
            ["cache"] = Ratio(s.CacheHitRatio),
            ["fallbacks"] = Html.Count(s.Fallbacks),
            ["requests"] = Html.Count(s.TotalRequests),
            ["loads"] = $"{Html.Count(s.Loads)} ({Html.Count(s.LoadFailures)})",
            ["served"] = stats.Model is { } m ? $"{m.Name} v{m.Version}" : "nothing",
            ["error"] = Shown(context, stats.LastError) ?? "none",
            ["history"] = history.ToString(),
        };
    }

    internal const int VersionsPerPage = 25;
    internal const int ChangesPerPage = 100;

    // The page asked for (?page=N, 1 when absent or not a number), clamped to the pages there are.
    private static (int Page, int Pages) Paging(HttpContext context, int count, int size)
    {
        var pages = Math.Max(1, (count + size - 1) / size);
        var page = int.TryParse(context.Request.Query["page"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : 1;
        return (Math.Clamp(page, 1, pages), pages);
    }

    // "Newer" and "older" links that keep the page's other query parameters (the audit's filters).
    private static void Pager(Html html, HttpContext context, string what, int page, int pages, int count)
    {
        if (pages <= 1)
        {
            return;
        }

        string Link(int to) => context.Request.PathBase + context.Request.Path + Microsoft.AspNetCore.Http.QueryString.Create(
            context.Request.Query.Where(q => q.Key != "page" && q.Key != "done").Select(q => KeyValuePair.Create(q.Key, (string?)q.Value.ToString())).Append(KeyValuePair.Create("page", (string?)to.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToUriComponent();
        html.Raw("<nav class=\"pager\" aria-label=\"pages\">");
        if (page > 1)
        {
            html.Link(Link(page - 1), "← Newer", "button");
        }

        html.Raw($"<span>Page {page} of {pages} ({Html.Count(count)} {what})</span>");
        if (page < pages)
        {
            html.Link(Link(page + 1), "Older →", "button");
        }

        html.Raw("</nav>");
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    private static string Ms(double? ms) => ms is { } v ? $"{v.ToString(v < 10 ? "0.00" : "0.0", System.Globalization.CultureInfo.InvariantCulture)} ms" : "—";

    private static string Ratio(double? ratio) => ratio is { } r ? $"{(r * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} %" : "—";

    private static void Fact(Html html, string name, string value) => html.Raw("<dt>").Text(name).Raw("</dt><dd>").Text(value).Raw("</dd>");

    private static void Row(Html html, string name, string? left, string? right) =>
        html.Raw("<tr").Raw(left != right ? " class=\"differs\"" : string.Empty).Raw("><th>").Text(name).Raw("</th><td>").Text(left ?? "—").Raw("</td><td>").Text(right ?? "—").Raw("</td><td></td></tr>");

    private static string StageList(IReadOnlyList<ModelVersion> versions, ModelStage stage) =>
        string.Join(", ", versions.Where(v => v.Stage == stage).Select(v => $"v{v.Version}")) is { Length: > 0 } list ? list : "—";

    private void ServedBox(HttpContext context, Html html, StatsResponse stats)
    {
        // The host and process are for signed-in operators only, as on a run's page.
        html.Raw("<p class=\"served\" id=\"served\">This replica ");
        if (session.Actor(context) is not null)
        {
            html.Raw("(").Text(Environment.MachineName).Raw($", process {Environment.ProcessId}) ");
        }

        html.Raw("serves ");
        if (stats.Model is { } model)
        {
            html.Link($"{prefix}/models/{Html.Url(model.Name)}", $"{model.Name} v{model.Version}").Text($" ({stats.Stage}, {stats.Algorithm}), loaded {(stats.LoadedAt is { } at ? Html.Time(at) : "—")}.");
        }
        else
        {
            html.Text("no model yet.");
        }

        if (stats.LastError is not null)
        {
            html.Raw(" <span class=\"error\">Last load failed: ").Text(Shown(context, stats.LastError)!).Raw("</span>");
        }

        html.Raw("</p>");
    }

    private void CompareForm(Html html, string name, IReadOnlyList<ModelVersion> versions, int? a, int? b)
    {
        if (versions.Count < 2)
        {
            return;
        }

        html.Raw($"<form method=\"get\" action=\"{prefix}/models/{Html.Url(name)}/compare\" class=\"filters\" id=\"compare-form\">Compare ");
        foreach (var (field, selected) in new[] { ("a", a), ("b", b) })
        {
            html.Raw($"<select name=\"{field}\" aria-label=\"version {field}\">");
            foreach (var v in versions)
            {
                html.Raw($"<option value=\"{v.Version}\"{(v.Version == selected ? " selected" : string.Empty)}>v{v.Version} ({v.Stage})</option>");
            }

            html.Raw("</select> ");
        }

        html.Raw("<button type=\"submit\">Compare</button></form>");
    }
}
