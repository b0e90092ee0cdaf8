using Recsys.Recommenders;

namespace Recsys.Abstractions.Tests.Recommenders;

public sealed class RecommendationFilterTests
{
    [Fact]
    public void Admits_AllConditions_MustHold()
    {
        var filter = new RecommendationFilter
        {
            AllowedItems = new HashSet<int> { 1, 2, 3 },
            ExcludedItems = new HashSet<int> { 2 },
            ItemPredicate = static item => item != 3,
        };

        Assert.False(filter.Admits(0));
        Assert.True(filter.Admits(1));
        Assert.False(filter.Admits(2));
        Assert.False(filter.Admits(3));
    }

    [Fact]
    public void Defaults_ExcludeSeenOnly()
    {
        Assert.True(RecommendationFilter.Default.ExcludeSeen);
        Assert.False(RecommendationFilter.None.ExcludeSeen);
        Assert.True(RecommendationFilter.Default.Admits(12345));
    }
}
