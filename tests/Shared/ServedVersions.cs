using Recsys.Serving;

namespace Recsys.Tests.Shared;

/// <summary>Waits for a host to serve a version, through the model provider's swap event rather than polling /stats.</summary>
internal static class ServedVersions
{
    /// <summary>
    /// Completes when the host behind <paramref name="services"/> serves <paramref name="version"/> of its configured
    /// stage or alias (at once if it already does). Start it before the change that causes the swap.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="version">The version.</param>
    /// <param name="hangGuard">Fails a test that would otherwise hang; never a speed limit.</param>
    /// <param name="cancellationToken">The test's token.</param>
    /// <returns>The wait.</returns>
    public static Task SwappedAsync(IServiceProvider services, int version, TimeSpan hangGuard, CancellationToken cancellationToken)
    {
        var provider = (ModelProvider)services.GetService(typeof(ModelProvider))!;
        var swapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.Swapped += (target, model) =>
        {
            if (target is null && model.Version.Version == version)
            {
                swapped.TrySetResult();
            }
        };
        if (provider.Current?.Version.Version == version)
        {
            swapped.TrySetResult();
        }

        return swapped.Task.WaitAsync(hangGuard, cancellationToken);
    }
}
