using System.Globalization;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.AspNetCore.Dashboard;

// Inline SVG drawings (no script, no external file): a metric across versions and a run's step timeline.
internal static class Svg
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // One metric over the versions that have it, in version order; the Production version is drawn as a ring and
    // labelled. Lower-is-better metrics are not flipped: the axis says what the numbers are.
    public static void MetricChart(Html html, string metric, IReadOnlyList<ModelVersion> versions)
    {
        var points = versions.Where(v => v.Metrics.ContainsKey(metric)).OrderBy(v => v.Version).ToList();
        const double width = 360, height = 160, left = 56, right = 22, top = 24, bottom = 28, inset = 14;
        var min = points.Min(v => v.Metrics[metric]);
        var max = points.Max(v => v.Metrics[metric]);
        if (max - min < 1e-12)
        {
            (min, max) = (min - 0.5 * Math.Max(Math.Abs(min), 1e-3), max + 0.5 * Math.Max(Math.Abs(max), 1e-3));
        }

        double X(int i) => points.Count == 1 ? left + ((width - left - right) / 2) : left + inset + (i * (width - left - right - inset) / (points.Count - 1));
        double Y(double value) => top + ((max - value) / (max - min) * (height - top - bottom));
        html.Raw($"<figure class=\"chart\" data-metric=\"{Html.Encode(metric)}\"><figcaption>{Html.Encode(metric)}</figcaption>");
        html.Raw($"<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{Html.Encode(metric)} by version\">");
        html.Raw($"<line class=\"axis\" x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\"/>");
        html.Raw($"<line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\"/>");
        html.Raw($"<text class=\"tick\" x=\"{left - 4}\" y=\"{F(top + 4)}\" text-anchor=\"end\">{Html.Number(max)}</text>");
        html.Raw($"<text class=\"tick\" x=\"{left - 4}\" y=\"{F(height - bottom)}\" text-anchor=\"end\">{Html.Number(min)}</text>");
        if (points.Count > 1)
        {
            html.Raw("<polyline class=\"series\" points=\"");
            html.Raw(string.Join(' ', points.Select((v, i) => $"{F(X(i))},{F(Y(v.Metrics[metric]))}")));
            html.Raw("\"/>");
        }

        for (var i = 0; i < points.Count; i++)
        {
            var v = points[i];
            var production = v.Stage == ModelStage.Production;
            html.Raw($"<circle class=\"{(production ? "point production" : "point")}\" cx=\"{F(X(i))}\" cy=\"{F(Y(v.Metrics[metric]))}\" r=\"{(production ? 6 : 3.5)}\">");
            html.Raw($"<title>v{v.Version}: {Html.Number(v.Metrics[metric])}{(production ? " (Production)" : string.Empty)}</title></circle>");
            html.Raw($"<text class=\"tick\" x=\"{F(X(i))}\" y=\"{height - 10}\" text-anchor=\"middle\">v{v.Version}</text>");
            if (production)
            {
                html.Raw($"<text class=\"label\" x=\"{F(X(i))}\" y=\"{F(Math.Max(10, Y(v.Metrics[metric]) - 10))}\" text-anchor=\"middle\">Production</text>");
            }
        }

        html.Raw("</svg></figure>");
    }

    // The run's steps on one time axis: a bar per step from its start to its end (or now, while running), coloured
    // by state, with its attempts; failed attempts' errors are listed under the drawing.
    public static void Timeline(Html html, RetrainingRun run, DateTimeOffset now)
    {
        var end = run.FinishedAt ?? now;
        var steps = run.Steps;
        var total = Math.Max((end - run.StartedAt).TotalMilliseconds, 1);
        const double width = 760, left = 150, right = 90, row = 26;
        var height = (steps.Count * row) + 30;
        html.Raw($"<svg class=\"timeline\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{F(height)}\" role=\"img\" aria-label=\"run steps\">");
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var from = Math.Max(0, (step.StartedAt - run.StartedAt).TotalMilliseconds);
            var to = Math.Max(from, ((step.FinishedAt ?? end) - run.StartedAt).TotalMilliseconds);
            var x = left + (from / total * (width - left - right));
            var w = Math.Max(2, (to - from) / total * (width - left - right));
            var y = (i * row) + 6;
            var state = step.State.ToString().ToLowerInvariant();
            html.Raw($"<g class=\"step {state}\" data-step=\"{Html.Encode(step.Name)}\">");
            html.Raw($"<text class=\"name\" x=\"{left - 8}\" y=\"{F(y + 14)}\" text-anchor=\"end\">{Html.Encode(step.Name)}</text>");
            html.Raw($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{row - 8}\" rx=\"3\"><title>{Html.Encode(step.Name)}: {state}, {step.Attempts} attempt(s), {Html.Duration(TimeSpan.FromMilliseconds(to - from))}</title></rect>");
            html.Raw($"<text class=\"meta\" x=\"{F(Math.Min(x + w + 6, width - right + 4))}\" y=\"{F(y + 14)}\">{Html.Duration(TimeSpan.FromMilliseconds(to - from))}{(step.Attempts > 1 ? $" ×{step.Attempts}" : string.Empty)}</text>");
            html.Raw("</g>");
        }

        var axis = (steps.Count * row) + 12;
        html.Raw($"<line class=\"axis\" x1=\"{left}\" y1=\"{axis}\" x2=\"{width - right}\" y2=\"{axis}\"/>");
        html.Raw($"<text class=\"tick\" x=\"{left}\" y=\"{axis + 14}\">0</text>");
        html.Raw($"<text class=\"tick\" x=\"{width - right}\" y=\"{axis + 14}\" text-anchor=\"end\">{Html.Duration(end - run.StartedAt)}</text>");
        html.Raw("</svg>");
    }

    private static string F(double value) => value.ToString("0.#", Invariant);
}
