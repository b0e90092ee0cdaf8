namespace Recsys.Serving;

/// <summary>One arm of an A/B split.</summary>
public sealed class TrafficVariant
{
    /// <summary>Gets or sets the alias of the served model this arm uses.</summary>
    public string Alias { get; set; } = "";

    /// <summary>Gets or sets the arm's share, relative to the other arms' weights.</summary>
    public int Weight { get; set; }
}
