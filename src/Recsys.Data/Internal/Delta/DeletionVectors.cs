using System.Buffers.Binary;

namespace Recsys.Data.Internal.Delta;

// Deletion vectors (PROTOCOL.md, "Deletion Vectors" and "Deletion Vector Format"): a 64-bit RoaringBitmap of row
// indexes, behind a magic number, stored inline (Z85 text in the log) or in a file (big-endian size, bitmap, CRC-32).
internal static class DeletionVectors
{
    private const int PortableMagicNumber = 1681511377;
    private const int NativeMagicNumber = 1681511376;
    private const string Z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    // The sorted row indexes the descriptor deletes from its file.
    public static long[] Read(DeltaDeletionVectorAction descriptor, string tableRoot, string table)
    {
        var storage = descriptor.StorageType;
        var pathOrInline = descriptor.PathOrInlineDv ?? throw new DeltaTableException(table, "a deletion vector has no pathOrInlineDv");
        var size = descriptor.SizeInBytes ?? throw new DeltaTableException(table, "a deletion vector has no sizeInBytes");
        byte[] bitmap;
        switch (storage)
        {
            case "i":
                var decoded = Z85Decode(pathOrInline, table);
                if (decoded.Length < size)
                {
                    throw new DeltaTableException(table, $"an inline deletion vector decodes to {decoded.Length} bytes but sizeInBytes is {size}");
                }

                bitmap = decoded.AsSpan(0, size).ToArray();
                break;
            case "u" or "p":
                var path = storage == "u" ? RelativePath(pathOrInline, tableRoot, table) : DeltaPaths.Resolve(pathOrInline, tableRoot, table);
                bitmap = ReadFromFile(path, descriptor.Offset ?? 0, size, table);
                break;
            default:
                throw new DeltaTableException(table, $"a deletion vector has storage type '{storage}'; the protocol defines 'u', 'i' and 'p'");
        }

        var rows = Deserialize(bitmap, table);
        if (descriptor.Cardinality is { } cardinality && cardinality != rows.Length)
        {
            throw new DeltaTableException(table, $"a deletion vector holds {rows.Length} rows but its descriptor says {cardinality}");
        }

        return rows;
    }

    // Z85 (rfc.zeromq.org/spec:32) in 5-character groups of 4 bytes, big endian. A group is at most 85^5 - 1, more than
    // 2^32 - 1: a group beyond 32 bits is no Z85 and is refused (wrapping it would silently delete another row). Delta
    // Spark pads the bytes to a multiple of 4 with zeros (sizeInBytes drops them); delta-kernel-rs' z85 crate instead
    // ends with a short group: its first n characters are '#' (n missing bytes; a full group cannot start with '#',
    // 84 * 85^4 > 2^32) and the rest holds the last 4 - n bytes, right-aligned ("##093" is the two bytes 03 00).
    public static byte[] Z85Decode(string text, string table)
    {
        if (text.Length % 5 != 0)
        {
            throw new DeltaTableException(table, $"a Z85 text has {text.Length} characters, not a multiple of 5");
        }

        var bytes = new byte[text.Length / 5 * 4];
        var length = 0;
        Span<byte> group = stackalloc byte[4];
        for (var i = 0; i < text.Length; i += 5)
        {
            var padding = 0;
            while (padding < 4 && text[i + padding] == '#')
            {
                padding++;
            }

            if (padding > 0 && (padding == 4 || i + 5 != text.Length))
            {
                throw new DeltaTableException(table, $"the Z85 group '{text.Substring(i, 5)}' at character {i} starts with '#', which only the last group of a padded text may (1 to 3 of them)");
            }

            ulong value = 0;
            for (var j = 0; j < 5; j++)
            {
                var digit = j < padding ? 0 : Z85Alphabet.IndexOf(text[i + j], StringComparison.Ordinal);
                if (digit < 0)
                {
                    throw new DeltaTableException(table, $"'{text[i + j]}' at character {i + j} is not a Z85 character");
                }

                value = (value * 85) + (uint)digit;
            }

            if (value > uint.MaxValue || (padding > 0 && value >> (8 * (4 - padding)) != 0))
            {
                throw new DeltaTableException(table, $"the Z85 group '{text.Substring(i, 5)}' at character {i} decodes to {value}, more than its {4 - padding} byte(s) hold: the text is not Z85");
            }

            BinaryPrimitives.WriteUInt32BigEndian(group, (uint)value);
            group[padding..].CopyTo(bytes.AsSpan(length));
            length += 4 - padding;
        }

        return length == bytes.Length ? bytes : bytes[..length];
    }

    private static string RelativePath(string pathOrInline, string tableRoot, string table)
    {
        if (pathOrInline.Length < 20)
        {
            throw new DeltaTableException(table, $"the deletion vector id '{pathOrInline}' is shorter than the 20 characters of a Z85 UUID");
        }

        var prefix = pathOrInline[..^20];
        var uuid = Z85Decode(pathOrInline[^20..], table);
        var guid = new Guid(uuid, bigEndian: true);
        return Storage.FileStore.For(tableRoot).Combine(tableRoot, prefix.Length == 0 ? $"deletion_vector_{guid:D}.bin" : $"{prefix}/deletion_vector_{guid:D}.bin");
    }

    private static byte[] ReadFromFile(string path, int offset, int size, string table)
    {
        try
        {
            using var file = Storage.FileStore.For(path).OpenRead(path);
            file.Position = offset;
            Span<byte> header = stackalloc byte[4];
            file.ReadExactly(header);
            var stored = BinaryPrimitives.ReadInt32BigEndian(header);
            if (stored != size)
            {
                throw new DeltaTableException(table, $"the deletion vector at offset {offset} of {path} holds {stored} bytes but its descriptor says {size}");
            }

            var bitmap = new byte[size];
            file.ReadExactly(bitmap);
            file.ReadExactly(header);
            var checksum = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (checksum != System.IO.Hashing.Crc32.HashToUInt32(bitmap))
            {
                throw new DeltaTableException(table, $"the deletion vector at offset {offset} of {path} fails its CRC-32 check");
            }

            return bitmap;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DeltaTableException(table, $"cannot read the deletion vector file {path}: {e.Message}", e);
        }
    }

    // RoaringBitmapArray in either of Delta's two layouts. Portable (magic 1681511377, little endian, what the
    // protocol's format section describes): bucket count (int64), then per bucket a 32-bit key and a standard 32-bit
    // RoaringBitmap. Native (magic 1681511376, header big endian; the layout of the protocol's inline example): bitmap
    // count (int32), then per bitmap its size (int32) and a standard 32-bit RoaringBitmap whose key is its position.
    private static long[] Deserialize(ReadOnlySpan<byte> data, string table)
    {
        try
        {
            var rows = new List<long>();
            if (BinaryPrimitives.ReadInt32LittleEndian(data) == PortableMagicNumber)
            {
                var position = 4;
                var buckets = BinaryPrimitives.ReadInt64LittleEndian(data[position..]);
                position += 8;
                for (long b = 0; b < buckets; b++)
                {
                    long high = BinaryPrimitives.ReadUInt32LittleEndian(data[position..]);
                    position += 4;
                    position += ReadRoaring32(data[position..], high << 32, rows);
                }
            }
            else if (BinaryPrimitives.ReadInt32BigEndian(data) == NativeMagicNumber)
            {
                var position = 4;
                var bitmaps = BinaryPrimitives.ReadInt32BigEndian(data[position..]);
                position += 4;
                for (long b = 0; b < bitmaps; b++)
                {
                    var size = BinaryPrimitives.ReadInt32BigEndian(data[position..]);
                    position += 4;
                    ReadRoaring32(data.Slice(position, size), b << 32, rows);
                    position += size;
                }
            }
            else
            {
                throw new DeltaTableException(table, $"a deletion vector starts with neither RoaringBitmapArray magic number ({PortableMagicNumber} or {NativeMagicNumber})");
            }

            rows.Sort();
            return [.. rows];
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidDataException)
        {
            throw new DeltaTableException(table, $"a deletion vector is not a valid RoaringBitmapArray: {e.Message}", e);
        }
    }

    // https://github.com/RoaringBitmap/RoaringFormatSpec: returns the bytes consumed.
    private static int ReadRoaring32(ReadOnlySpan<byte> data, long high, List<long> rows)
    {
        const int SerialCookieNoRunContainer = 12346;
        const int SerialCookie = 12347;
        const int NoOffsetThreshold = 4;
        var cookie = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var position = 4;
        int containers;
        ReadOnlySpan<byte> runFlags = default;
        bool hasRuns = (cookie & 0xFFFF) == SerialCookie;
        if (hasRuns)
        {
            containers = (int)(cookie >> 16) + 1;
            var flagBytes = (containers + 7) / 8;
            runFlags = data.Slice(position, flagBytes);
            position += flagBytes;
        }
        else if (cookie == SerialCookieNoRunContainer)
        {
            containers = BinaryPrimitives.ReadInt32LittleEndian(data[position..]);
            position += 4;
        }
        else
        {
            throw new InvalidDataException($"unknown RoaringBitmap cookie {cookie}");
        }

        var keys = new int[containers];
        var cardinalities = new int[containers];
        for (var c = 0; c < containers; c++)
        {
            keys[c] = BinaryPrimitives.ReadUInt16LittleEndian(data[position..]);
            cardinalities[c] = BinaryPrimitives.ReadUInt16LittleEndian(data[(position + 2)..]) + 1;
            position += 4;
        }

        if (!hasRuns || containers >= NoOffsetThreshold)
        {
            position += 4 * containers; // offsets; containers follow in order, so they are not needed
        }

        for (var c = 0; c < containers; c++)
        {
            var baseValue = high | ((long)keys[c] << 16);
            if (hasRuns && (runFlags[c / 8] & (1 << (c % 8))) != 0)
            {
                int runs = BinaryPrimitives.ReadUInt16LittleEndian(data[position..]);
                position += 2;
                for (var r = 0; r < runs; r++)
                {
                    int start = BinaryPrimitives.ReadUInt16LittleEndian(data[position..]);
                    int length = BinaryPrimitives.ReadUInt16LittleEndian(data[(position + 2)..]);
                    position += 4;
                    for (var v = start; v <= start + length; v++)
                    {
                        rows.Add(baseValue | (long)v);
                    }
                }
            }
            else if (cardinalities[c] <= 4096)
            {
                for (var i = 0; i < cardinalities[c]; i++)
                {
                    rows.Add(baseValue | BinaryPrimitives.ReadUInt16LittleEndian(data[position..]));
                    position += 2;
                }
            }
            else
            {
                for (var word = 0; word < 1024; word++)
                {
                    var bits = BinaryPrimitives.ReadUInt64LittleEndian(data[position..]);
                    position += 8;
                    while (bits != 0)
                    {
                        var bit = System.Numerics.BitOperations.TrailingZeroCount(bits);
                        rows.Add(baseValue | (long)((word * 64) + bit));
                        bits &= bits - 1;
                    }
                }
            }
        }

        return position;
    }
}
