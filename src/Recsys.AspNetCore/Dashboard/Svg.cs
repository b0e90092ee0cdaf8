using System.Globalization;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.AspNetCore.Dashboard;

// Inline SVG drawings (no script, no external file): a metric across versions and a run's step timeline.
internal static class Svg
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // Series colours: each at least 4.5:1 against white (lines, markers and legend swatches stay visible); the
    // legend's .k0 … .k5 in dashboard.css are the same colours.
    private static readonly string[] Palette = ["#2459d6", "#b4530c", "#7b3fb5", "#0f7a5c", "#a3213a", "#4a5468"];

    // One metric over the versions that have it, in version order, one line per algorithm (a line never joins versions
    // of different algorithms); the y axis starts at zero (differences are drawn to scale) unless a value is negative.
    // The Production version is drawn as a ring and labelled inside the drawing. Lower-is-better metrics are not
    // flipped: the axis title says what the numbers are.
    public static void MetricChart(Html html, string metric, IReadOnlyList<ModelVersion> versions)
    {
        var points = versions.Where(v => v.Metrics.ContainsKey(metric) && double.IsFinite(v.Metrics[metric])).OrderBy(v => v.Version).ToList();
        if (points.Count == 0)
        {
            return;
        }

        const double width = 420, height = 210, left = 62, right = 24, top = 24, bottom = 44, inset = 16;
        var (min, max) = Scale(points.Min(v => v.Metrics[metric]), points.Max(v => v.Metrics[metric]));
        var index = points.Select((v, i) => (v.Version, i)).ToDictionary(p => p.Version, p => p.i);
        double X(ModelVersion v) => points.Count == 1 ? left + ((width - left - right) / 2) : left + inset + (index[v.Version] * (width - left - right - (2 * inset)) / (points.Count - 1));
        double Y(double value) => top + ((max - value) / (max - min) * (height - top - bottom));
        var trainers = points.Select(v => v.Trainer).Distinct(StringComparer.Ordinal).ToList();
        html.Raw($"<figure class=\"chart\" data-metric=\"{Html.Encode(metric)}\"><figcaption>{Html.Encode(metric)} by version</figcaption>");
        html.Raw($"<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{Html.Encode(metric)} by version, one line per algorithm\">");
        foreach (var tick in new[] { min, (min + max) / 2, max })
        {
            html.Raw($"<line class=\"grid-line\" x1=\"{left}\" y1=\"{F(Y(tick))}\" x2=\"{width - right}\" y2=\"{F(Y(tick))}\"/>");
            html.Raw($"<text class=\"tick y-tick\" x=\"{left - 5}\" y=\"{F(Y(tick) + 3)}\" text-anchor=\"end\">{Html.Number(tick)}</text>");
        }

        html.Raw($"<line class=\"axis\" x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\"/>");
        html.Raw($"<line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\"/>");
        html.Raw($"<text class=\"axis-title x-title\" x=\"{F(left + ((width - left - right) / 2))}\" y=\"{height - 6}\" text-anchor=\"middle\">version</text>");
        html.Raw($"<text class=\"axis-title y-title\" transform=\"rotate(-90)\" x=\"{F(-(top + ((height - top - bottom) / 2)))}\" y=\"12\" text-anchor=\"middle\">{Html.Encode(metric)}</text>");
        var every = Math.Max(1, (int)Math.Ceiling(points.Count / 12.0));
        for (var i = 0; i < points.Count; i++)
        {
            if (i % every == 0 || i == points.Count - 1)
            {
                html.Raw($"<text class=\"tick x-tick\" x=\"{F(X(points[i]))}\" y=\"{height - bottom + 14}\" text-anchor=\"middle\">v{points[i].Version}</text>");
            }
        }

        for (var t = 0; t < trainers.Count; t++)
        {
            var colour = Palette[t % Palette.Length];
            var series = points.Where(v => v.Trainer == trainers[t]).ToList();
            html.Raw($"<g class=\"series\" data-trainer=\"{Html.Encode(trainers[t])}\">");
            if (series.Count > 1)
            {
                html.Raw($"<polyline class=\"line\" stroke=\"{colour}\" points=\"");
                html.Raw(string.Join(' ', series.Select(v => $"{F(X(v))},{F(Y(v.Metrics[metric]))}")));
                html.Raw("\"/>");
            }

            foreach (var v in series)
            {
                var production = v.Stage == ModelStage.Production;
                html.Raw($"<circle class=\"{(production ? "point production" : "point")}\" fill=\"{(production ? "#fff" : colour)}\" stroke=\"{colour}\" cx=\"{F(X(v))}\" cy=\"{F(Y(v.Metrics[metric]))}\" r=\"{(production ? 6 : 3.5)}\">");
                html.Raw($"<title>v{v.Version} ({Html.Encode(v.Trainer)}): {Html.Number(v.Metrics[metric])}{(production ? " (Production)" : string.Empty)}</title></circle>");
            }

            html.Raw("</g>");
        }

        if (points.FirstOrDefault(v => v.Stage == ModelStage.Production) is { } live)
        {
            // Inside the drawing wherever the point is: anchored at its end near the right edge, at its start near the left.
            var x = X(live);
            var anchor = x > width - right - 50 ? "end" : x < left + 50 ? "start" : "middle";
            var y = Y(live.Metrics[metric]);
            html.Raw($"<text class=\"label\" x=\"{F(anchor == "end" ? x + 6 : anchor == "start" ? x - 6 : x)}\" y=\"{F(y - 10 < top - 8 ? y + 20 : y - 10)}\" text-anchor=\"{anchor}\">Production</text>");
        }

        html.Raw("</svg><div class=\"legend\">");
        for (var t = 0; t < trainers.Count; t++)
        {
            // A class per colour (the stylesheet draws the swatch): the Content-Security-Policy allows no inline style.
            html.Raw($"<span class=\"k{t % Palette.Length}\">").Text(trainers[t]).Raw("</span>");
        }

        html.Raw("</div></figure>");
    }

    // The value axis: from zero (or the lowest value when one is negative) to a round number at or above the highest.
    private static (double Min, double Max) Scale(double low, double high)
    {
        var min = Math.Min(0, low);
        var top = Math.Max(high, min + 1e-9);
        var step = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(Math.Abs(top), Math.Abs(min)))));
        var max = Math.Ceiling(top / step * 2) / 2 * step;
        if (min < 0)
        {
            min = Math.Floor(min / step * 2) / 2 * step;
        }

        return (min, max <= min ? min + step : max);
    }

    // A value per second over the last minute (a gap where a second has none), on a zero-based axis labelled with its
    // maximum; the time axis runs from 60 s ago to now.
    public static void LiveHistory(Html html, string id, string title, IReadOnlyList<(long Second, double? Value)> seconds, string unit)
    {
        const double width = 420, height = 150, left = 56, right = 12, top = 14, bottom = 32;
        var values = seconds.Where(s => s.Value is not null).Select(s => s.Value!.Value).ToList();
        var (min, max) = Scale(0, values.Count == 0 ? 1 : Math.Max(values.Max(), 1e-9));
        double X(int i) => left + (i * (width - left - right) / Math.Max(1, seconds.Count - 1));
        double Y(double value) => top + ((max - value) / (max - min) * (height - top - bottom));
        html.Raw($"<figure class=\"chart\" data-history=\"{id}\"><figcaption>{Html.Encode(title)}, last minute</figcaption>");
        html.Raw($"<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{Html.Encode(title)} per second over the last minute\">");
        foreach (var tick in new[] { min, max })
        {
            html.Raw($"<line class=\"grid-line\" x1=\"{left}\" y1=\"{F(Y(tick))}\" x2=\"{width - right}\" y2=\"{F(Y(tick))}\"/>");
            html.Raw($"<text class=\"tick y-tick\" x=\"{left - 5}\" y=\"{F(Y(tick) + 3)}\" text-anchor=\"end\">{Html.Number(tick)}{Html.Encode(unit)}</text>");
        }

        html.Raw($"<line class=\"axis\" x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\"/>");
        html.Raw($"<text class=\"tick\" x=\"{left}\" y=\"{height - bottom + 14}\">−60 s</text><text class=\"tick\" x=\"{width - right}\" y=\"{height - bottom + 14}\" text-anchor=\"end\">now</text>");
        html.Raw($"<text class=\"axis-title x-title\" x=\"{F(left + ((width - left - right) / 2))}\" y=\"{height - 4}\" text-anchor=\"middle\">time</text>");

        // One polyline per run of consecutive seconds with a value.
        var run = new List<string>();
        for (var i = 0; i <= seconds.Count; i++)
        {
            if (i < seconds.Count && seconds[i].Value is { } value)
            {
                run.Add($"{F(X(i))},{F(Y(value))}");
                continue;
            }

            if (run.Count > 0)
            {
                html.Raw(run.Count == 1
                    ? $"<circle class=\"point\" fill=\"{Palette[0]}\" stroke=\"{Palette[0]}\" r=\"2\" cx=\"{run[0].Split(',')[0]}\" cy=\"{run[0].Split(',')[1]}\"/>"
                    : $"<polyline class=\"line\" stroke=\"{Palette[0]}\" points=\"{string.Join(' ', run)}\"/>");
                run.Clear();
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
        // The step names are right-aligned before the bars: the margin fits the longest (about 7 px a character at 12 px).
        const double right = 90, row = 26;
        var left = Math.Clamp(12 + (7.2 * steps.Select(s => s.Name.Length).DefaultIfEmpty(0).Max()), 80, 420);
        var width = left + 610 + right;
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
