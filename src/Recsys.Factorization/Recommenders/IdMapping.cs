using Recsys.Data;

namespace Recsys.Recommenders;

internal static class IdMapping
{
    /// <summary>For every index of <paramref name="from"/>, the index of the same identifier in <paramref name="to"/>, or -1.</summary>
    public static int[] Map(IdMap from, IdMap to)
    {
        var map = new int[from.Count];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = to.IndexOf(from[i]);
        }

        return map;
    }
}
