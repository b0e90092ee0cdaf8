namespace Recsys.Tests.Shared;

/// <summary>
/// The one place the tests poll, and the policy for it. In-process state is awaited through events and tasks
/// (<c>ModelProvider.Started</c> and <c>Swapped</c>, <c>RetrainingService.RunFinished</c>, a
/// <see cref="TaskCompletionSource"/> a fake signals), and time is a <c>FakeTimeProvider</c>. Polling is left for what
/// has no event in the test's process: an HTTP answer of a host (health, a run's state as an operator reads it), a
/// child process or server that starts listening, a browser page, Prometheus' view of a scrape. Its limit only ends a
/// test that would otherwise hang; it is never a speed assertion.
/// </summary>
internal static class Poll
{
    /// <summary>The default limit: long enough for a loaded 2-core CI machine to bootstrap a model.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits until <paramref name="condition"/> holds, asking again every 100 ms.</summary>
    /// <param name="condition">The state looked for.</param>
    /// <param name="what">What is waited for, for the failure message.</param>
    /// <param name="hangGuard">When to give up; <see langword="null"/> for <see cref="HangGuard"/>.</param>
    /// <param name="cancellationToken">The test's token.</param>
    /// <exception cref="TimeoutException">The state was not reached before the guard.</exception>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? hangGuard = null, CancellationToken cancellationToken = default)
    {
        var guard = hangGuard ?? HangGuard;
        var deadline = TimeProvider.System.GetTimestamp() + (long)(guard.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!await condition().ConfigureAwait(false))
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Not reached after {guard}: {what}.");
            }

            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (a synchronous check).</summary>
    /// <param name="condition">The state looked for.</param>
    /// <param name="what">What is waited for, for the failure message.</param>
    /// <param name="hangGuard">When to give up; <see langword="null"/> for <see cref="HangGuard"/>.</param>
    /// <param name="cancellationToken">The test's token.</param>
    /// <exception cref="TimeoutException">The state was not reached before the guard.</exception>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? hangGuard = null, CancellationToken cancellationToken = default) =>
        UntilAsync(() => Task.FromResult(condition()), what, hangGuard, cancellationToken);
}
