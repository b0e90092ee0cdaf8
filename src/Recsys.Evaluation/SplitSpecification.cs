using System.Globalization;
using Recsys.Data;

namespace Recsys.Evaluation;

/// <summary>
/// A split written as text, as configuration files and the command line give it:
/// <c>random:0.2</c>, <c>user:0.2</c> (a fraction per user), <c>user:5</c> (a count per user),
/// <c>temporal:0.2</c>, <c>last:1</c> (each user's latest k) or <c>kfold:5</c>.
/// </summary>
public sealed record SplitSpecification
{
    private SplitSpecification(string kind, double fraction, int count, string text)
    {
        Kind = kind;
        Fraction = fraction;
        Count = count;
        Text = text;
    }

    /// <summary>Gets the kind: <c>random</c>, <c>user</c>, <c>temporal</c>, <c>last</c> or <c>kfold</c>.</summary>
    public string Kind { get; }

    /// <summary>Gets the held-out fraction, or 0 when the split is given by a count.</summary>
    public double Fraction { get; }

    /// <summary>Gets the count (per-user hold-out count, k of leave-last-k, folds), or 0 when the split is given by a fraction.</summary>
    public int Count { get; }

    /// <summary>Gets the text the specification was parsed from.</summary>
    public string Text { get; }

    /// <summary>Parses a specification.</summary>
    /// <param name="text">The text, for example <c>random:0.2</c>.</param>
    /// <returns>The specification.</returns>
    /// <exception cref="FormatException">The text is not a valid specification; the message lists the accepted forms.</exception>
    public static SplitSpecification Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string Forms = "expected random:F, user:F, user:N, temporal:F, last:N or kfold:N, with F a fraction in (0, 1) and N a positive integer";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new FormatException($"The split '{text}' is not valid: {Forms}.");
        }

        var kind = text[..colon].Trim().ToLowerInvariant();
        var argument = text[(colon + 1)..].Trim();
        var isCount = int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0;
        var isFraction = double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction) && fraction > 0 && fraction < 1;
        return kind switch
        {
            "random" or "temporal" when isFraction => new SplitSpecification(kind, fraction, 0, text),
            "user" when isFraction => new SplitSpecification(kind, fraction, 0, text),
            "user" or "last" when isCount => new SplitSpecification(kind, 0, count, text),
            "kfold" when isCount && count >= 2 => new SplitSpecification(kind, 0, count, text),
            "random" or "temporal" => throw new FormatException($"The split '{text}' is not valid: {kind} takes a fraction strictly between 0 and 1, for example {kind}:0.2 ({Forms})."),
            "user" => throw new FormatException($"The split '{text}' is not valid: user takes a fraction strictly between 0 and 1 or a positive count, for example user:0.2 or user:1 ({Forms})."),
            "last" => throw new FormatException($"The split '{text}' is not valid: last takes a positive count of interactions per user, for example last:1 ({Forms})."),
            "kfold" => throw new FormatException($"The split '{text}' is not valid: kfold takes a number of folds of 2 or more, for example kfold:5 ({Forms})."),
            _ => throw new FormatException($"The split '{text}' is not valid: {Forms}."),
        };
    }

    /// <summary>Applies the specification.</summary>
    /// <param name="data">The dataset.</param>
    /// <param name="seed">The seed of random splits.</param>
    /// <returns>One split, or one per fold for <c>kfold</c>.</returns>
    public IReadOnlyList<DataSplit> Apply(InteractionDataset data, ulong seed) => Kind switch
    {
        "random" => [DataSplitter.RandomHoldout(data, Fraction, seed)],
        "user" when Count > 0 => [DataSplitter.PerUserHoldout(data, Count, seed)],
        "user" => [DataSplitter.PerUserHoldout(data, Fraction, seed)],
        "temporal" => [DataSplitter.Temporal(data, Fraction)],
        "last" => [DataSplitter.LeaveLastK(data, Count)],
        _ => DataSplitter.KFold(data, Count, seed),
    };

    /// <inheritdoc />
    public override string ToString() => Text;
}
