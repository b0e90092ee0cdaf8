using System.ComponentModel;
using System.Globalization;

namespace Recsys.Data;

/// <summary>The declared range of ratings (inclusive), for example 0.5 to 5 stars; a value outside it is a bad row.</summary>
/// <param name="Min">The lowest rating.</param>
/// <param name="Max">The highest rating.</param>
/// <remarks>Configuration binds it from <c>MIN:MAX</c> text (for example <c>"RatingScale": "0.5:5"</c>).</remarks>
[TypeConverter(typeof(RatingScaleConverter))]
public sealed record RatingScale(float Min, float Max)
{
    /// <summary>Gets the scale of MovieLens <c>ratings.csv</c>: 0.5 to 5 stars.</summary>
    public static RatingScale MovieLens { get; } = new(0.5f, 5f);

    /// <summary>Gets the scale of MovieLens 100K <c>u.data</c>: 1 to 5 stars.</summary>
    public static RatingScale MovieLens100K { get; } = new(1f, 5f);

    /// <summary>Gets a scale every finite value lies on: no check (to turn off a format's declared scale).</summary>
    public static RatingScale Any { get; } = new(float.NegativeInfinity, float.PositiveInfinity);

    /// <summary>Whether a value lies on the scale.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when <see cref="Min"/> ≤ <paramref name="value"/> ≤ <see cref="Max"/>.</returns>
    public bool Contains(float value) => value >= Min && value <= Max;

    /// <summary>Parses <c>MIN:MAX</c> (for example <c>0.5:5</c>).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The scale.</returns>
    /// <exception cref="FormatException">The text is not two finite numbers MIN ≤ MAX separated by a colon.</exception>
    public static RatingScale Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length == 2
            && float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
            && float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
            && float.IsFinite(min) && float.IsFinite(max) && min <= max)
        {
            return new RatingScale(min, max);
        }

        throw new FormatException($"'{text}' is not a rating scale MIN:MAX with MIN <= MAX (for example 0.5:5).");
    }

    /// <summary>Returns the scale as <c>MIN to MAX</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => this == Any ? "any" : string.Create(CultureInfo.InvariantCulture, $"{Min} to {Max}");
}

/// <summary>Converts <c>MIN:MAX</c> text to a <see cref="RatingScale"/> and back (configuration binding).</summary>
internal sealed class RatingScaleConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? RatingScale.Parse(text.Trim()) : base.ConvertFrom(context, culture, value);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is RatingScale scale
            ? string.Create(CultureInfo.InvariantCulture, $"{scale.Min}:{scale.Max}")
            : base.ConvertTo(context, culture, value, destinationType);
}
