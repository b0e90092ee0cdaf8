namespace Recsys.Data.Internal.Columnar;

// One column of one row group (or a partition column's constant), typed, with a null mask. Integers, booleans, dates
// and timestamps are held in Longs, floating point in Doubles, so that consumers switch on the buffer, not the type.
internal sealed class ColumnVector
{
    private ColumnVector(ValueKind kind, int count)
    {
        Kind = kind;
        Count = count;
        Nulls = new bool[count];
    }

    public ValueKind Kind { get; }

    public int Count { get; }

    public bool[] Nulls { get; }

    public long[]? Longs { get; private init; }

    public double[]? Doubles { get; private init; }

    public decimal[]? Decimals { get; private init; }

    public string?[]? Strings { get; private init; }

    public byte[]?[]? Bytes { get; private init; }

    public static ColumnVector Create(ValueKind kind, int count) => kind switch
    {
        ValueKind.Float or ValueKind.Double => new ColumnVector(kind, count) { Doubles = new double[count] },
        ValueKind.Decimal => new ColumnVector(kind, count) { Decimals = new decimal[count] },
        ValueKind.String => new ColumnVector(kind, count) { Strings = new string?[count] },
        ValueKind.Binary => new ColumnVector(kind, count) { Bytes = new byte[]?[count] },
        _ => new ColumnVector(kind, count) { Longs = new long[count] },
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
        Array.Fill(vector.Nulls, true);
        return vector;
    }

    public void Set(int row, object? value)
    {
        if (value is null)
        {
            Nulls[row] = true;
            return;
        }

        switch (Kind)
        {
            case ValueKind.Float or ValueKind.Double:
                Doubles![row] = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case ValueKind.Decimal:
                Decimals![row] = (decimal)value;
                break;
            case ValueKind.String:
                Strings![row] = (string)value;
                break;
            case ValueKind.Binary:
                Bytes![row] = (byte[])value;
                break;
            case ValueKind.Boolean:
                Longs![row] = (bool)value ? 1 : 0;
                break;
            default:
                Longs![row] = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
        }
    }

    // The value as a .NET object of the column's logical type: bool, sbyte, short, int, long, float, double, decimal,
    // string, byte[], DateOnly (date) or DateTime (timestamps; UTC for timestamp, unspecified for timestamp_ntz).
    public object? Get(int row)
    {
        if (Nulls[row])
        {
            return null;
        }

        return Kind switch
        {
            ValueKind.Boolean => Longs![row] != 0,
            ValueKind.Byte => (sbyte)Longs![row],
            ValueKind.Short => (short)Longs![row],
            ValueKind.Int => (int)Longs![row],
            ValueKind.Long => Longs![row],
            ValueKind.Float => (float)Doubles![row],
            ValueKind.Double => Doubles![row],
            ValueKind.Decimal => Decimals![row],
            ValueKind.String => Strings![row],
            ValueKind.Binary => Bytes![row],
            ValueKind.Date => DateOnly.FromDayNumber(UnixEpochDayNumber + (int)Longs![row]),
            ValueKind.Timestamp => DateTime.UnixEpoch.AddTicks(Longs![row] * 10),
            ValueKind.TimestampNtz => DateTime.SpecifyKind(DateTime.UnixEpoch.AddTicks(Longs![row] * 10), DateTimeKind.Unspecified),
            _ => throw new InvalidOperationException($"Unknown value kind {Kind}."),
        };
    }

    public static readonly int UnixEpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;
}
