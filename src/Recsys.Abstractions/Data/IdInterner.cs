namespace Recsys.Data;

/// <summary>Identifier → dense index in order of first appearance, looked up by characters (no string per known id).</summary>
internal sealed class IdInterner
{
    private readonly Dictionary<string, int> _indices = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public IdInterner() => _lookup = _indices.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _ids.Count;

    public int Intern(ReadOnlySpan<char> id, string parameterName)
    {
        if (_lookup.TryGetValue(id, out var index))
        {
            return index;
        }

        if (id.IsEmpty)
        {
            throw new ArgumentException("An identifier must not be empty.", parameterName);
        }

        var text = id.ToString();
        index = _ids.Count;
        _indices.Add(text, index);
        _ids.Add(text);
        return index;
    }

    public string IdAt(int index) => _ids[index];

    public string[] ToArray() => [.. _ids];

    /// <summary>The map of the ids interned, sharing this interner's dictionary (which must not be used afterwards).</summary>
    public IdMap ToIdMap() => IdMap.CreateTrusted(ToArray(), _indices);
}
