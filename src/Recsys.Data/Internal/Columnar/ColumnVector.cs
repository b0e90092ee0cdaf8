namespace Recsys.Data.Internal.Columnar;

// One column of one row group (or a partition column's constant), typed, with the rows that are null. int32 columns
// are held in Ints and float columns in Floats, as Parquet stores them (so they are read without a copy); other
// integers, booleans, dates and timestamps in Longs, double in Doubles. A vector either owns its buffer (Offset 0) or
// borrows a slice of a consumer's array starting at Offset: row r is element Offset + r.
internal sealed class ColumnVector
{
    private bool[]? _nulls;

    private ColumnVector(ValueKind kind, int count, int offset, bool owned)
    {
        Kind = kind;
        Count = count;
        Offset = offset;
        IsOwned = owned;
    }

    public ValueKind Kind { get; }

    public int Count { get; }

    // Where row 0 is in the buffer: 0 for an owned buffer, the slice's start for a borrowed one.
    public int Offset { get; }

    // False when the buffer is a consumer's array: such a vector is never reused for another row group.
    public bool IsOwned { get; }

    public int[]? Ints { get; private init; }

    public long[]? Longs { get; private init; }

    public float[]? Floats { get; private init; }

    public double[]? Doubles { get; private init; }

    public decimal[]? Decimals { get; private init; }

    public string?[]? Strings { get; private init; }

    public byte[]?[]? Bytes { get; private init; }

    public static ColumnVector Create(ValueKind kind, int count) => kind switch
    {
        ValueKind.Int => new ColumnVector(kind, count, 0, owned: true) { Ints = new int[count] },
        ValueKind.Float => new ColumnVector(kind, count, 0, owned: true) { Floats = new float[count] },
        ValueKind.Double => new ColumnVector(kind, count, 0, owned: true) { Doubles = new double[count] },
        ValueKind.Decimal => new ColumnVector(kind, count, 0, owned: true) { Decimals = new decimal[count] },
        ValueKind.String => new ColumnVector(kind, count, 0, owned: true) { Strings = new string?[count] },
        ValueKind.Binary => new ColumnVector(kind, count, 0, owned: true) { Bytes = new byte[]?[count] },
        _ => new ColumnVector(kind, count, 0, owned: true) { Longs = new long[count] },
    };

    // A vector over array[offset .. offset + count), when the array is the kind's buffer type (else null).
    public static ColumnVector? Borrow(ValueKind kind, Array array, int offset, int count) => (kind, array) switch
    {
        (ValueKind.Int, int[] ints) => new ColumnVector(kind, count, offset, owned: false) { Ints = ints },
        (ValueKind.Float, float[] floats) => new ColumnVector(kind, count, offset, owned: false) { Floats = floats },
        (ValueKind.Long, long[] longs) => new ColumnVector(kind, count, offset, owned: false) { Longs = longs },
        _ => null,
    };

    public static ColumnVector Constant(ValueKind kind, object? value, int count)
    {
        var vector = Create(kind, count);
        for (var i = 0; i < count; i++)
        {
            vector.Set(i, value);
        }

        return vector;
    }

    public static ColumnVector AllNull(ValueKind kind, int count)
    {
        var vector = Create(kind, count);
        vector._nulls = new bool[count];
        Array.Fill(vector._nulls, true);
        return vector;
    }

    public bool IsNull(int row) => _nulls is { } nulls && nulls[row];

    public void MarkNull(int row) => (_nulls ??= new bool[Count])[row] = true;

    // Before an owned vector is refilled with the next row group.
    public void ClearNulls()
    {
        if (_nulls is { } nulls)
        {
            Array.Clear(nulls);
        }
    }

    // An integer column's value (ids, timestamps); only for integer kinds.
    public long GetInt64(int row) => Ints is { } ints ? ints[Offset + row] : Longs![Offset + row];

    // A numeric column's value as a float (ratings and signals).
    public float GetSingle(int row) =>
        Floats is { } f ? f[Offset + row]
        : Doubles is { } d ? (float)d[Offset + row]
        : Decimals is { } m ? (float)m[Offset + row]
        : Ints is { } i ? i[Offset + row]
        : Kind == ValueKind.UnsignedLong ? (ulong)Longs![Offset + row]
        : Longs![Offset + row];

    public void Set(int row, object? value)
    {
        if (value is null)
        {
            MarkNull(row);
            return;
        }

        var at = Offset + row;
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        switch (Kind)
        {
            case ValueKind.Int:
                Ints![at] = Convert.ToInt32(value, invariant);
                break;
            case ValueKind.Float:
                Floats![at] = Convert.ToSingle(value, invariant);
                break;
            case ValueKind.Double:
                Doubles![at] = Convert.ToDouble(value, invariant);
                break;
            case ValueKind.Decimal:
                Decimals![at] = (decimal)value;
                break;
            case ValueKind.String:
                Strings![at] = (string)value;
                break;
            case ValueKind.Binary:
                Bytes![at] = (byte[])value;
                break;
            case ValueKind.Boolean:
                Longs![at] = (bool)value ? 1 : 0;
                break;
            case ValueKind.UnsignedLong:
                Longs![at] = unchecked((long)Convert.ToUInt64(value, invariant));
                break;
            default:
                Longs![at] = Convert.ToInt64(value, invariant);
                break;
        }
    }

    // The value as a .NET object of the column's logical type: bool, sbyte, short, int, long, float, double, decimal,
    // string, byte[], DateOnly (date) or DateTime (timestamps; UTC for timestamp, unspecified for timestamp_ntz).
    public object? Get(int row)
    {
        if (IsNull(row))
        {
            return null;
        }

        var at = Offset + row;
        return Kind switch
        {
            ValueKind.Boolean => Longs![at] != 0,
            ValueKind.Byte => (sbyte)Longs![at],
            ValueKind.Short => (short)Longs![at],
            ValueKind.Int => Ints![at],
            ValueKind.Long => Longs![at],
            ValueKind.UnsignedLong => (ulong)Longs![at],
            ValueKind.Float => Floats![at],
            ValueKind.Double => Doubles![at],
            ValueKind.Decimal => Decimals![at],
            ValueKind.String => Strings![at],
            ValueKind.Binary => Bytes![at],
            ValueKind.Date => DateOnly.FromDayNumber(UnixEpochDayNumber + (int)Longs![at]),
            ValueKind.Timestamp => DateTime.UnixEpoch.AddTicks(Longs![at] * 10),
            ValueKind.TimestampNtz => DateTime.SpecifyKind(DateTime.UnixEpoch.AddTicks(Longs![at] * 10), DateTimeKind.Unspecified),
            _ => throw new InvalidOperationException($"Unknown value kind {Kind}."),
        };
    }

    public static readonly int UnixEpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;
}
