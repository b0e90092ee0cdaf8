using Recsys.Serving;

namespace Recsys.Serving.Tests;

/// <summary>Anonymous pages and /stats say which data, not where the machine keeps it.</summary>
public sealed class RedactionTests
{
    [Theory]
    [InlineData("file /work/shared/data/ml-latest-small/ratings.csv + interaction store", "file …/ratings.csv + interaction store")]
    [InlineData("delta table /srv/lake/ratings @ version 3", "delta table …/ratings @ version 3")]
    [InlineData("file C:\\data\\movies\\ratings.csv: 100,836 interactions", "file …\\ratings.csv: 100,836 interactions")]
    [InlineData("'/tmp/x/y.csv' does not exist.", "'…/y.csv' does not exist.")]
    [InlineData("synthetic data (seed 42) + interaction store", "synthetic data (seed 42) + interaction store")]
    [InlineData("ndcg_at_k 0.31/0.32 and rmse 0.8", "ndcg_at_k 0.31/0.32 and rmse 0.8")]
    public void Paths_AbsolutePaths_BecomeTheirLastSegment(string text, string shown) => Assert.Equal(shown, Redaction.Paths(text));
}
