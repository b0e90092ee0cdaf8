using System.Collections.Concurrent;
using Recsys.Data.Internal.Storage;

namespace Recsys.Data.Tests;

/// <summary>The remote read stream: exact bytes under any seeks, ranged requests only, the next window requested ahead, announced ranges fetched concurrently.</summary>
public sealed class RangedReadStreamTests
{
    private const int Window = 1 << 16;

    private static readonly byte[] Data = Bytes(10 * Window + 123);

    [Fact]
    public void SequentialRead_IsExact_AndTheNextWindowIsRequestedBeforeItIsNeeded()
    {
        var requests = new ConcurrentQueue<(long Start, int Count)>();
        using var stream = new RangedReadStream(Data.Length, Fetch(requests), Window);
        var chunk = new byte[4096];

        var first = stream.Read(chunk);

        Assert.Equal(Data.AsSpan(0, first).ToArray(), chunk[..first]);
        Assert.Equal([(0L, Window), (Window, Window)], requests); // the second window was asked for with the first
        using var rest = new MemoryStream();
        rest.Write(chunk, 0, first);
        stream.CopyTo(rest);
        Assert.Equal(Data, rest.ToArray());
        Assert.Equal(Enumerable.Range(0, 11).Select(k => ((long)k * Window, (int)Math.Min(Window, Data.Length - ((long)k * Window)))), requests);
    }

    [Fact]
    public void Seeks_ReadExactBytes_AndOnlyTheRangesTheyNeed()
    {
        var requests = new ConcurrentQueue<(long Start, int Count)>();
        using var stream = new RangedReadStream(Data.Length, Fetch(requests), Window);
        var buffer = new byte[100];

        // What Parquet does: the footer at the end, then a column chunk in the middle.
        stream.Seek(-100, SeekOrigin.End);
        stream.ReadExactly(buffer);
        Assert.Equal(Data[^100..], buffer);
        stream.Position = 5 * Window + 7;
        stream.ReadExactly(buffer);
        Assert.Equal(Data[(5 * Window + 7)..(5 * Window + 107)], buffer);

        Assert.Equal(0, stream.Read(new byte[10].AsSpan()[..0]));
        Assert.DoesNotContain(requests, r => r.Start == 0); // the start of the object was never fetched
        Assert.All(requests, r => Assert.True(r.Count <= Window));
    }

    [Fact]
    public async Task Prefetch_RequestsTheAnnouncedRangesConcurrently_AndReadsInsideThemFetchNothingMore()
    {
        // Two column chunks of a row group, announced as a scan does: each is one window and a bit, so four pieces.
        var chunks = new[] { (Offset: 2L * Window + 10, Length: (long)Window + 500), (Offset: 6L * Window, Length: (long)Window + 20) };
        var requests = new ConcurrentQueue<(long Start, int Count)>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = 0;
        var most = 0;
        using var stream = new RangedReadStream(Data.Length, async (start, count) =>
        {
            requests.Enqueue((start, count));
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await release.Task; // held until the test has seen them all requested at once
            Interlocked.Decrement(ref inFlight);
            return Data.AsSpan((int)start, count).ToArray();
        }, Window, parallel: 3);

        stream.Prefetch(chunks);
        while (Volatile.Read(ref inFlight) < 3)
        {
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        Assert.Equal(3, Volatile.Read(ref most)); // three in flight at once, the fourth waits for a slot
        release.SetResult();
        foreach (var (offset, length) in chunks)
        {
            stream.Position = offset;
            var buffer = new byte[length];
            stream.ReadExactly(buffer);
            Assert.Equal(Data.AsSpan((int)offset, (int)length).ToArray(), buffer);
        }

        Assert.Equal(
            [(2L * Window + 10, Window), (3L * Window + 10, 500), (6L * Window, Window), (7L * Window, 20)],
            requests.OrderBy(r => r.Start));
    }

    [Fact]
    public void Prefetch_MergesNearbyRanges_AndAReadOutsideThemStillWorks()
    {
        var requests = new ConcurrentQueue<(long Start, int Count)>();
        using var stream = new RangedReadStream(Data.Length, Fetch(requests), Window);

        stream.Prefetch([(100, 1000), (1100 + 1000, 500), (100, 1000)]); // 1,000 bytes apart: one request; a repeat asks again for nothing

        Assert.Equal([(100L, 2500)], requests);
        var buffer = new byte[200];
        stream.Position = 1500;
        stream.ReadExactly(buffer);
        Assert.Equal(Data.AsSpan(1500, 200).ToArray(), buffer);
        Assert.Single(requests); // served from the prefetched range
        stream.Position = 9 * Window;
        stream.ReadExactly(buffer);
        Assert.Equal(Data.AsSpan(9 * Window, 200).ToArray(), buffer);
        Assert.Contains((9L * Window, Window), requests);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) != current)
        {
            current = Volatile.Read(ref target);
        }
    }

    private static Func<long, int, Task<byte[]>> Fetch(ConcurrentQueue<(long, int)> requests) => (start, count) =>
    {
        requests.Enqueue((start, count));
        return Task.FromResult(Data.AsSpan((int)start, count).ToArray());
    };

    private static byte[] Bytes(int size)
    {
        var bytes = new byte[size];
        new Random(7).NextBytes(bytes);
        return bytes;
    }
}
