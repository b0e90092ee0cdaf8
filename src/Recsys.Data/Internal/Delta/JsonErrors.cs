using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Recsys.Data.Internal.Delta;

// System.Text.Json's messages name .NET types ("could not be converted to System.Nullable`1[System.Int64]") and its
// own position format; a log written by another tool is described in JSON's terms: where, and what was expected.
internal static partial class JsonErrors
{
    public static string Describe(JsonException error)
    {
        var where = error.Path is { Length: > 0 } path ? $"at {path}" : "in the line";
        var position = error.BytePositionInLine is { } byteInLine ? string.Create(CultureInfo.InvariantCulture, $", character {byteInLine + 1}") : string.Empty;
        var conversion = ConvertedTo().Match(error.Message);
        if (conversion.Success)
        {
            return $"the value {where}{position} is not {Expected(conversion.Groups["type"].Value)}";
        }

        // A syntax error: System.Text.Json's first sentence ("'t' is invalid after a value. Expected either ',', '}', or ']'.").
        var sentence = error.Message.Split(" Path: ", 2)[0].Split(" LineNumber: ", 2)[0].TrimEnd(' ', '|');
        return $"{sentence} ({where}{position})";
    }

    private static string Expected(string type) => type switch
    {
        _ when type.Contains("Int64", StringComparison.Ordinal) || type.Contains("Int32", StringComparison.Ordinal) => "an integer",
        _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when type.Contains("Dictionary", StringComparison.Ordinal) => "an object",
        _ when type.Contains("List", StringComparison.Ordinal) || type.EndsWith("[]", StringComparison.Ordinal) => "an array",
        "System.String" => "a string",
        _ => "a value of the kind the Delta protocol defines there",
    };

    [GeneratedRegex(@"could not be converted to (?<type>\S+?)\.(\s|$)")]
    private static partial Regex ConvertedTo();
}
