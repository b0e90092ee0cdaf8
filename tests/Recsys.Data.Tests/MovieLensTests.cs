using Recsys.Data;

namespace Recsys.Data.Tests;

public sealed class MovieLensTests
{
    [Fact]
    public void ReadMovies_QuotedTitlesAndGenres_AreKept()
    {
        const string Text = "movieId,title,genres\n"
            + "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n"
            + "11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
            + "12,\"Title with \"\"quotes\"\" (2000)\",(no genres listed)\n";

        var metadata = MovieLens.ReadMovies(new StringReader(Text), "movies.csv");

        Assert.Equal(3, metadata.Count);
        Assert.True(metadata.TryGetAttributes("11", out var president));
        Assert.Equal("American President, The (1995)", president.Title);
        Assert.Equal(["Comedy", "Drama", "Romance"], president.Genres);
        Assert.True(president.HasGenre("drama"));
        Assert.True(metadata.TryGetAttributes("12", out var quoted));
        Assert.Equal("Title with \"quotes\" (2000)", quoted.Title);
        Assert.Empty(quoted.Genres);
        Assert.Contains("Animation", metadata.Genres);
        Assert.False(metadata.TryGetAttributes("2", out _));
    }

    [Theory]
    [InlineData("", "movies.csv: the file is empty; expected the header 'movieId,title,genres'")]
    [InlineData("movieId,title,genres\n1,Toy Story\n", "movies.csv, line 2: expected 3 fields (movieId, title, genres) separated by ',' but found 2")]
    [InlineData("movieId,title,genres\n1,A,Drama\n1,B,Comedy\n", "movies.csv, line 3: the movie id '1' appears more than once")]
    public void ReadMovies_BadInput_FailsNamingLine(string text, string message)
    {
        var error = Assert.Throws<InteractionDataException>(() => MovieLens.ReadMovies(new StringReader(text), "movies.csv"));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ReadMovies_MovieLensLatestSmall_ReadsEveryMovie()
    {
        var metadata = MovieLens.ReadMovies(MovieLensData.File("movies.csv"));

        Assert.Equal(9_742, metadata.Count);
        Assert.True(metadata.TryGetAttributes("1", out var toyStory));
        Assert.Equal("Toy Story (1995)", toyStory.Title);
        Assert.Contains("Animation", toyStory.Genres);
    }
}
