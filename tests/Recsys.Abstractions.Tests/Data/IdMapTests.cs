using Recsys.Data;

namespace Recsys.Abstractions.Tests.Data;

public sealed class IdMapTests
{
    [Fact]
    public void Create_DistinctIds_IndicesFollowOrder()
    {
        var map = IdMap.Create(["b", "a", "c"]);

        Assert.Equal(3, map.Count);
        Assert.Equal("a", map[1]);
        Assert.Equal(0, map.IndexOf("b"));
        Assert.True(map.TryGetIndex("c".AsSpan(), out var c));
        Assert.Equal(2, c);
        Assert.Equal(["b", "a", "c"], map);
    }

    [Fact]
    public void Create_DuplicateId_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => IdMap.Create(["x", "y", "x"]));
        Assert.Contains("'x' appears more than once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EmptyId_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => IdMap.Create(["x", ""]));
        Assert.Contains("position 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryGetIndex_UnknownId_ReturnsFalseAndMinusOne()
    {
        var map = IdMap.Create(["x"]);

        Assert.False(map.TryGetIndex("y", out var index));
        Assert.Equal(-1, index);
        Assert.False(map.TryGetIndex("X".AsSpan(), out _));
        Assert.Equal(-1, map.IndexOf("y"));
        Assert.False(map.Contains(null));
    }
}
