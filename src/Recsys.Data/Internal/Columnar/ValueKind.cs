namespace Recsys.Data.Internal.Columnar;

// The logical value types the columnar readers return. Integers, booleans, dates (days since the epoch) and
// timestamps (microseconds since the epoch, UTC) share one long buffer; see ColumnVector.
internal enum ValueKind
{
    Boolean,
    Byte,
    Short,
    Int,
    Long,
    Float,
    Double,
    Decimal,
    String,
    Binary,
    Date,
    Timestamp,
    TimestampNtz,

    // uint64 (Parquet's UINT_64): the bit pattern in the long buffer; read back as ulong.
    UnsignedLong,
}
