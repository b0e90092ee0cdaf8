using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Recsys.Serving;

/// <summary>Ready only when a model is loaded; reports its version, or why none is.</summary>
internal sealed class ModelLoadedHealthCheck(ModelProvider provider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(provider.Current is { } model
            ? HealthCheckResult.Healthy($"Serving {model.Version.ModelName} version {model.Version.Version} ({model.Model.Algorithm}).")
            : HealthCheckResult.Unhealthy(provider.LastError is { } error ? $"No model loaded: {error}" : "No model loaded yet."));
}
