using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Recsys.Data;

/// <summary>
/// An immutable, bidirectional map between opaque string identifiers and dense indices <c>0 … Count-1</c>.
/// </summary>
/// <remarks>
/// Identifiers are compared ordinally. Lookups by <see cref="ReadOnlySpan{T}"/> do not allocate, so readers can
/// resolve identifiers straight from a line buffer.
/// </remarks>
public sealed class IdMap : IReadOnlyList<string>
{
    private readonly string[] _ids;
    private readonly Dictionary<string, int> _indices;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;

    private IdMap(string[] ids, Dictionary<string, int> indices)
    {
        _ids = ids;
        _indices = indices;
        _spanLookup = indices.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Gets an empty map.</summary>
    public static IdMap Empty { get; } = new([], new Dictionary<string, int>(StringComparer.Ordinal));

    /// <summary>Gets the number of identifiers in the map.</summary>
    public int Count => _ids.Length;

    /// <summary>Gets the identifier stored at <paramref name="index"/>.</summary>
    /// <param name="index">A dense index in <c>0 … Count-1</c>.</param>
    /// <returns>The identifier.</returns>
    public string this[int index] => _ids[index];

    /// <summary>Creates a map whose indices follow the order of <paramref name="ids"/>.</summary>
    /// <param name="ids">Distinct, non-empty identifiers.</param>
    /// <returns>The new map.</returns>
    /// <exception cref="ArgumentException">An identifier is null, empty or appears twice.</exception>
    public static IdMap Create(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var array = ids.ToArray();
        var indices = new Dictionary<string, int>(array.Length, StringComparer.Ordinal);
        for (var i = 0; i < array.Length; i++)
        {
            if (string.IsNullOrEmpty(array[i]))
            {
                throw new ArgumentException($"The identifier at position {i} is null or empty.", nameof(ids));
            }

            if (!indices.TryAdd(array[i], i))
            {
                throw new ArgumentException($"The identifier '{array[i]}' appears more than once.", nameof(ids));
            }
        }

        return new IdMap(array, indices);
    }

    /// <summary>Creates a map without copying or validating; the caller guarantees distinct, non-empty ids.</summary>
    internal static IdMap CreateTrusted(string[] ids, Dictionary<string, int> indices) => new(ids, indices);

    /// <summary>Looks up the index of an identifier.</summary>
    /// <param name="id">The identifier.</param>
    /// <param name="index">The index, or -1 when the identifier is unknown.</param>
    /// <returns><see langword="true"/> when the identifier is in the map.</returns>
    public bool TryGetIndex(string id, out int index)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_indices.TryGetValue(id, out index))
        {
            return true;
        }

        index = -1;
        return false;
    }

    /// <summary>Looks up the index of an identifier given as characters, without allocating.</summary>
    /// <param name="id">The identifier.</param>
    /// <param name="index">The index, or -1 when the identifier is unknown.</param>
    /// <returns><see langword="true"/> when the identifier is in the map.</returns>
    public bool TryGetIndex(ReadOnlySpan<char> id, out int index)
    {
        if (_spanLookup.TryGetValue(id, out index))
        {
            return true;
        }

        index = -1;
        return false;
    }

    /// <summary>Returns the index of an identifier, or -1 when it is unknown.</summary>
    /// <param name="id">The identifier.</param>
    /// <returns>The index or -1.</returns>
    public int IndexOf(string id) => TryGetIndex(id, out var index) ? index : -1;

    /// <summary>
    /// Returns, for every index of this map, the index of the same identifier in <paramref name="other"/>, or -1 where
    /// <paramref name="other"/> does not hold it (for example a test set's users in a model's users).
    /// </summary>
    /// <param name="other">The map to translate into.</param>
    /// <returns>The translation table, one entry per identifier of this map.</returns>
    public int[] MapTo(IdMap other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var map = new int[_ids.Length];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = other.IndexOf(_ids[i]);
        }

        return map;
    }

    /// <summary>Returns whether the map holds <paramref name="id"/>.</summary>
    /// <param name="id">The identifier.</param>
    /// <returns><see langword="true"/> when the identifier is in the map.</returns>
    public bool Contains([NotNullWhen(true)] string? id) => id is not null && _indices.ContainsKey(id);

    /// <inheritdoc />
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_ids).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
