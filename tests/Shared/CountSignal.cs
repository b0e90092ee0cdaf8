namespace Recsys.Tests.Shared;

/// <summary>A count that tests wait on (signalled as it grows), instead of polling it.</summary>
internal sealed class CountSignal
{
    private readonly Lock _gate = new();
    private readonly List<(long Count, TaskCompletionSource Reached)> _waits = [];
    private long _count;

    /// <summary>Gets the count.</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Adds one and completes the waits it satisfies.</summary>
    /// <returns>The new count.</returns>
    public long Increment()
    {
        lock (_gate)
        {
            var count = ++_count;
            foreach (var wait in _waits.Where(w => count >= w.Count).ToArray())
            {
                wait.Reached.TrySetResult();
                _waits.Remove(wait);
            }

            return count;
        }
    }

    /// <summary>Completes once the count reaches <paramref name="count"/> (at once if it has).</summary>
    /// <param name="count">The count waited for.</param>
    /// <param name="cancellationToken">The test's token.</param>
    /// <returns>A task that fails with a <see cref="TimeoutException"/> after two minutes (a hang, never a speed limit).</returns>
    public Task AtLeastAsync(long count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_count >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((count, reached));
            return reached.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        }
    }
}
