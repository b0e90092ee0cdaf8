namespace Recsys.Data;

/// <summary>Readers for the MovieLens file formats (GroupLens Research).</summary>
public static class MovieLens
{
    /// <summary>The genre list MovieLens writes for a movie without genres.</summary>
    public const string NoGenres = "(no genres listed)";

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
    public static ItemMetadata ReadMovies(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return ReadMovies(reader, path);
    }

    /// <summary>Reads <c>movies.csv</c>-style text (<c>movieId,title,genres</c> with a header; genres separated by <c>|</c>).</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">The name used in error messages.</param>
    /// <returns>The item attributes by movie id.</returns>
    /// <exception cref="InteractionDataException">The text is empty or a row is malformed; the message names the source and line.</exception>
    public static ItemMetadata ReadMovies(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        if (reader.ReadLine() is null)
        {
            throw new InteractionDataException(source, 0, "the file is empty; expected the header 'movieId,title,genres'");
        }

        var items = new Dictionary<string, ItemAttributes>(StringComparer.Ordinal);
        Span<Range> fields = stackalloc Range[4];
        long lineNumber = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var count = DelimitedLine.Split(line, ',', fields);
            if (count < 0)
            {
                throw new InteractionDataException(source, lineNumber, "a quoted field is not closed");
            }

            if (count != 3)
            {
                throw new InteractionDataException(source, lineNumber, $"expected 3 fields (movieId, title, genres) separated by ',' but found {count}");
            }

            var id = DelimitedLine.FieldText(line, fields[0]);
            if (id.Length == 0)
            {
                throw new InteractionDataException(source, lineNumber, "the movie id is empty");
            }

            var genresText = DelimitedLine.FieldText(line, fields[2]);
            string[] genres = genresText.Length == 0 || genresText == NoGenres
                ? []
                : genresText.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (!items.TryAdd(id, new ItemAttributes(DelimitedLine.FieldText(line, fields[1]), genres)))
            {
                throw new InteractionDataException(source, lineNumber, $"the movie id '{id}' appears more than once");
            }
        }

        return new ItemMetadata(items);
    }
}
