using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Recsys.AspNetCore;

/// <summary>Ready only when a model is loaded; reports its version, or why none is.</summary>
internal sealed class ModelLoadedHealthCheck(ModelProvider provider) : IHealthCheck
{
    public const string ReadyTag = "recsys-ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(provider.Current is { } model
            ? HealthCheckResult.Healthy($"Serving {model.Version.ModelName} version {model.Version.Version} ({model.Model.Algorithm}).")
            : HealthCheckResult.Unhealthy(provider.LastError is { } error ? $"No model loaded: {error}" : "No model loaded yet."));
}
