using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Recsys.AspNetCore.Dashboard;

// A page under construction: text is encoded unless written with Raw. Numbers and times are invariant.
internal sealed class Html
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private readonly StringBuilder _text = new();

    public Html Raw(string markup)
    {
        _text.Append(markup);
        return this;
    }

    public Html Text(string? text)
    {
        _text.Append(HtmlEncoder.Default.Encode(text ?? string.Empty));
        return this;
    }

    public Html Element(string tag, string? text, string? cssClass = null, string? id = null)
    {
        _text.Append('<').Append(tag);
        Attribute("class", cssClass);
        Attribute("id", id);
        _text.Append('>');
        Text(text);
        _text.Append("</").Append(tag).Append('>');
        return this;
    }

    public Html Link(string href, string text, string? cssClass = null)
    {
        _text.Append("<a");
        Attribute("href", href);
        Attribute("class", cssClass);
        _text.Append('>');
        Text(text);
        _text.Append("</a>");
        return this;
    }

    public Html Hidden(string name, string? value)
    {
        _text.Append("<input type=\"hidden\"");
        Attribute("name", name);
        Attribute("value", value ?? string.Empty);
        _text.Append('>');
        return this;
    }

    public Html Attribute(string name, string? value)
    {
        if (value is not null)
        {
            _text.Append(' ').Append(name).Append("=\"").Append(HtmlEncoder.Default.Encode(value)).Append('"');
        }

        return this;
    }

    public override string ToString() => _text.ToString();

    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    public static string Url(string text) => UrlEncoder.Default.Encode(text);

    public static string Number(double value) => value.ToString(Math.Abs(value) >= 1000 ? "N0" : "0.####", Invariant);

    public static string Count(long value) => value.ToString("N0", Invariant);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant);

    public static string Duration(TimeSpan span) =>
        span.TotalSeconds < 1 ? $"{span.TotalMilliseconds.ToString("0", Invariant)} ms"
        : span.TotalMinutes < 1 ? $"{span.TotalSeconds.ToString("0.0", Invariant)} s"
        : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
        : $"{(int)span.TotalHours} h {span.Minutes} min";

    public static string Bytes(long bytes) =>
        bytes >= 1 << 20 ? $"{(bytes / (double)(1 << 20)).ToString("0.0", Invariant)} MB"
        : bytes >= 1 << 10 ? $"{(bytes / 1024.0).ToString("0.0", Invariant)} KB"
        : $"{bytes} B";

    // A version's parameters (JSON written by the retraining flow) as name/value pairs; other text as one pair.
    public static IReadOnlyList<KeyValuePair<string, string>> Parameters(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return [.. document.RootElement.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()))];
            }
        }
        catch (JsonException)
        {
        }

        return [KeyValuePair.Create("parameters", json)];
    }
}
