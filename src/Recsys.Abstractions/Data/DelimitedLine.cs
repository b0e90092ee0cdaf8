namespace Recsys.Data;

/// <summary>Splits one line of delimited text into fields, honouring double-quoted fields.</summary>
internal static class DelimitedLine
{
    /// <summary>
    /// Splits <paramref name="line"/> and stores the first <c>fields.Length</c> field ranges (quotes included).
    /// Returns the total number of fields, or -1 when a quoted field is not closed.
    /// </summary>
    public static int Split(ReadOnlySpan<char> line, char delimiter, Span<Range> fields)
    {
        var count = 0;
        var start = 0;
        var i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    var close = line[i..].IndexOf('"');
                    if (close < 0)
                    {
                        return -1;
                    }

                    i += close + 1;
                    if (i < line.Length && line[i] == '"')
                    {
                        i++;
                        continue;
                    }

                    break;
                }

                var next = line[i..].IndexOf(delimiter);
                i = next < 0 ? line.Length : i + next;
            }
            else
            {
                var next = line[i..].IndexOf(delimiter);
                i = next < 0 ? line.Length : i + next;
            }

            if (count < fields.Length)
            {
                fields[count] = start..i;
            }

            count++;
            if (i >= line.Length)
            {
                return count;
            }

            i++;
            start = i;
        }
    }

    /// <summary>Returns a field without surrounding whitespace and quotes; doubled quotes inside are left as they are.</summary>
    public static ReadOnlySpan<char> Field(ReadOnlySpan<char> line, Range range)
    {
        var field = line[range].Trim();
        if (field.Length >= 2 && field[0] == '"' && field[^1] == '"')
        {
            field = field[1..^1];
        }

        return field;
    }

    /// <summary>Returns a field as a string, with quotes removed and doubled quotes undone.</summary>
    public static string FieldText(ReadOnlySpan<char> line, Range range)
    {
        var raw = line[range].Trim();
        var field = Field(line, range);
        return raw.Length >= 2 && raw[0] == '"' && field.Contains("\"\"", StringComparison.Ordinal)
            ? field.ToString().Replace("\"\"", "\"", StringComparison.Ordinal)
            : field.ToString();
    }

    public static string Describe(char delimiter) => delimiter switch
    {
        '\t' => "a tab",
        ' ' => "a space",
        _ => $"'{delimiter}'",
    };
}
