using System.Diagnostics;

namespace Recsys.Serving;

/// <summary>The serving spans' source (named <see cref="RecsysTelemetry.ActivitySourceName"/>).</summary>
internal static class Telemetry
{
    public static readonly ActivitySource Source = new(RecsysTelemetry.ActivitySourceName);
}
