using Recsys.Data.Internal.Delta;

namespace Recsys.Data.Tests;

public sealed class DeletionVectorTests
{
    [Fact]
    public void InlineVector_FromTheProtocolsExample_DeletesItsRows()
    {
        // PROTOCOL.md, "JSON Example 3 — Inline": "The row indexes encoded in this DV are: 3, 4, 7, 11, 18, 29."
        var descriptor = new DeltaDeletionVectorAction
        {
            StorageType = "i",
            PathOrInlineDv = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L",
            SizeInBytes = 40,
            Cardinality = 6,
        };
        Assert.Equal([3L, 4, 7, 11, 18, 29], DeletionVectors.Read(descriptor, "/unused", "table"));
    }

    [Fact]
    public void CardinalityMismatch_IsRefused()
    {
        var descriptor = new DeltaDeletionVectorAction
        {
            StorageType = "i",
            PathOrInlineDv = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L",
            SizeInBytes = 40,
            Cardinality = 7,
        };
        var refused = Assert.Throws<DeltaTableException>(() => DeletionVectors.Read(descriptor, "/unused", "table"));
        Assert.Contains("holds 6 rows but its descriptor says 7", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownStorageType_IsRefused()
    {
        var descriptor = new DeltaDeletionVectorAction { StorageType = "x", PathOrInlineDv = "abc", SizeInBytes = 1 };
        Assert.Contains("storage type 'x'", Assert.Throws<DeltaTableException>(() => DeletionVectors.Read(descriptor, "/unused", "table")).Message, StringComparison.Ordinal);
    }
}
