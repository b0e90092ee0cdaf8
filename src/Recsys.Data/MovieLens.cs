namespace Recsys.Data;

/// <summary>Readers for the MovieLens file formats (GroupLens Research).</summary>
public static class MovieLens
{
    /// <summary>The genre list MovieLens writes for a movie without genres.</summary>
    public const string NoGenres = MovieLensMovies.NoGenres;

    /// <summary>Reads a <c>ratings.csv</c> file (<c>userId,movieId,rating,timestamp</c> with a header).</summary>
    /// <param name="path">The file.</param>
    /// <param name="badRows">Whether a bad row stops the read or is skipped and counted.</param>
    /// <returns>The dataset and an account of skipped and duplicated rows.</returns>
    public static InteractionReadResult ReadRatings(string path, BadRowPolicy badRows = BadRowPolicy.Fail) =>
        InteractionReader.Read(path, DelimitedFormat.MovieLensRatings, badRows);

    /// <summary>Reads a MovieLens 100K <c>u.data</c> file (tab-separated user, item, rating, timestamp; no header).</summary>
    /// <param name="path">The file.</param>
    /// <param name="badRows">Whether a bad row stops the read or is skipped and counted.</param>
    /// <returns>The dataset and an account of skipped and duplicated rows.</returns>
    public static InteractionReadResult ReadUData(string path, BadRowPolicy badRows = BadRowPolicy.Fail) =>
        InteractionReader.Read(path, DelimitedFormat.MovieLensUData, badRows);

    /// <summary>Reads a <c>movies.csv</c> file (<c>movieId,title,genres</c> with a header; genres separated by <c>|</c>).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The item attributes by movie id.</returns>
    /// <exception cref="InteractionDataException">The file is empty or a row is malformed; the message names the file and line.</exception>
    public static ItemMetadata ReadMovies(string path) => MovieLensMovies.Read(path);

    /// <summary>Reads <c>movies.csv</c>-style text (<c>movieId,title,genres</c> with a header; genres separated by <c>|</c>).</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">The name used in error messages.</param>
    /// <returns>The item attributes by movie id.</returns>
    /// <exception cref="InteractionDataException">The text is empty or a row is malformed; the message names the source and line.</exception>
    public static ItemMetadata ReadMovies(TextReader reader, string source) => MovieLensMovies.Read(reader, source);
}
