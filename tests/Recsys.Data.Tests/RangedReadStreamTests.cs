using System.Collections.Concurrent;
using Recsys.Data.Internal.Storage;

namespace Recsys.Data.Tests;

/// <summary>The remote read stream: exact bytes under any seeks, ranged requests only, and the next window requested ahead.</summary>
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
