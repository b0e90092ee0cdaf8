using Parquet;
using Parquet.Schema;
namespace Recsys.Data.Internal.Columnar;

// Writes generated ratings as a Snappy-compressed Parquet file with the columns of MovieLens ratings.csv (userId and
// movieId int32, rating float, timestamp int64; the same ids and values as the CSV), one row group per million rows.
internal sealed class ParquetRatingsWriter : IInteractionSink, IDisposable
{
    private const int RowGroupRows = 1 << 20;
    private static readonly DataField<int> User = new("userId");
    private static readonly DataField<int> Item = new("movieId");
    private static readonly DataField<float> Rating = new("rating");
    private static readonly DataField<long> Timestamp = new("timestamp");

    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;
    private readonly int[] _users = new int[RowGroupRows];
    private readonly int[] _items = new int[RowGroupRows];
    private readonly float[] _ratings = new float[RowGroupRows];
    private readonly long[] _timestamps = new long[RowGroupRows];
    private int _count;

    public ParquetRatingsWriter(string path)
    {
        _stream = File.Create(path);
        _writer = ParquetWriter.CreateAsync(new ParquetSchema(User, Item, Rating, Timestamp), _stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy })
            .GetAwaiter().GetResult();
    }

    public void Add(int user, int item, float value, long timestamp)
    {
        _users[_count] = user + 1;
        _items[_count] = item + 1;
        _ratings[_count] = value;
        _timestamps[_count] = timestamp;
        if (++_count == RowGroupRows)
        {
            Flush();
        }
    }

    public void Dispose()
    {
        Flush();
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _stream.Dispose();
    }

    private void Flush()
    {
        if (_count == 0)
        {
            return;
        }

        using (var rowGroup = _writer.CreateRowGroup())
        {
            rowGroup.WriteAsync<int>(User, _users.AsMemory(0, _count), null, null, CancellationToken.None).GetAwaiter().GetResult();
            rowGroup.WriteAsync<int>(Item, _items.AsMemory(0, _count), null, null, CancellationToken.None).GetAwaiter().GetResult();
            rowGroup.WriteAsync<float>(Rating, _ratings.AsMemory(0, _count), null, null, CancellationToken.None).GetAwaiter().GetResult();
            rowGroup.WriteAsync<long>(Timestamp, _timestamps.AsMemory(0, _count), null, null, CancellationToken.None).GetAwaiter().GetResult();
        }

        _count = 0;
    }
}
