using Recsys.Evaluation;

namespace Recsys.Evaluation.Tests;

public sealed class SplitSpecificationTests
{
    [Theory]
    [InlineData("random:0.2", "random", 0.2, 0)]
    [InlineData("user:0.1", "user", 0.1, 0)]
    [InlineData("user:5", "user", 0, 5)]
    [InlineData("temporal:0.25", "temporal", 0.25, 0)]
    [InlineData("last:1", "last", 0, 1)]
    [InlineData("KFold:5", "kfold", 0, 5)]
    public void Parse_ValidText_GivesKindAndArgument(string text, string kind, double fraction, int count)
    {
        var spec = SplitSpecification.Parse(text);

        Assert.Equal(kind, spec.Kind);
        Assert.Equal(fraction, spec.Fraction);
        Assert.Equal(count, spec.Count);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("random:1.5")]
    [InlineData("random:3")]
    [InlineData("temporal:0")]
    [InlineData("kfold:1")]
    [InlineData("kfold:0.5")]
    [InlineData("last:0.5")]
    [InlineData("shuffle:0.2")]
    public void Parse_InvalidText_ThrowsListingTheForms(string text)
    {
        var error = Assert.Throws<FormatException>(() => SplitSpecification.Parse(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("random:F", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_KFold_GivesOneSplitPerFold()
    {
        var data = TestDatasets.Synthetic(1, 10, 10, 5);

        Assert.Equal(3, SplitSpecification.Parse("kfold:3").Apply(data, 1).Count);
        Assert.Single(SplitSpecification.Parse("user:0.2").Apply(data, 1));
    }
}
