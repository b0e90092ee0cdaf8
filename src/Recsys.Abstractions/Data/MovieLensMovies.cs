namespace Recsys.Data;

// The reader of MovieLens movies.csv, here beside ItemMetadata so that serving can read a catalog without the data
// package (Recsys.Data's MovieLens.ReadMovies calls it).
internal static class MovieLensMovies
{
    /// <summary>The genre list MovieLens writes for a movie without genres.</summary>
    public const string NoGenres = "(no genres listed)";

    /// <summary>Reads a <c>movies.csv</c> file.</summary>
    public static ItemMetadata Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    public static ItemMetadata Read(TextReader reader, string source)
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
