namespace Recsys.Data;

/// <summary>
/// The distinct values of a column while there are at most 256 (star ratings, counts), each with its index in
/// first-seen order, so that a row's value can be kept in a byte: an open-addressing table on the value's bits (a
/// value is kept exactly; 0 and −0 are two levels).
/// </summary>
internal sealed class ValueLevelTable
{
    /// <summary>The most levels a byte indexes.</summary>
    public const int MaxLevels = 256;

    private const int Slots = 1024; // a power of two, at most a quarter full
    private readonly uint[] _keys = new uint[Slots];
    private readonly short[] _slots = new short[Slots]; // level + 1; 0 = empty
    private readonly float[] _levels = new float[MaxLevels];

    /// <summary>Gets the number of levels found so far.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the value of a level.</summary>
    public float this[int level] => _levels[level];

    /// <summary>
    /// The distinct values of the first <paramref name="count"/> values and each one's level, or null when there are
    /// more than <see cref="MaxLevels"/>.
    /// </summary>
    public static (float[] Levels, byte[] RowLevels)? TryCreate(float[] values, int count)
    {
        var table = new ValueLevelTable();
        for (var row = 0; row < count; row++)
        {
            if (table.IndexOf(values[row]) < 0)
            {
                return null;
            }
        }

        var rowLevels = GC.AllocateUninitializedArray<byte>(count);
        for (var row = 0; row < count; row++)
        {
            rowLevels[row] = (byte)table.IndexOf(values[row]);
        }

        return (table.ToArray(), rowLevels);
    }

    /// <summary>Gets the levels found so far, in first-seen order.</summary>
    public float[] ToArray() => _levels[..Count];

    /// <summary>The value's level, added when new; −1 when it would be one level too many.</summary>
    public int IndexOf(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        var slot = (int)((bits * 0x9E3779B1u) >> 22);
        while (true)
        {
            var level = _slots[slot] - 1;
            if (level < 0)
            {
                if (Count == MaxLevels)
                {
                    return -1;
                }

                _keys[slot] = bits;
                _slots[slot] = (short)(Count + 1);
                _levels[Count] = value;
                return Count++;
            }

            if (_keys[slot] == bits)
            {
                return level;
            }

            slot = (slot + 1) & (Slots - 1);
        }
    }
}
