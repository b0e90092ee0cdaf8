namespace Recsys.Data;

/// <summary>What a reader does with a row it cannot parse.</summary>
public enum BadRowPolicy
{
    /// <summary>Stop at the first bad row with an <see cref="InteractionDataException"/> naming the source and line.</summary>
    Fail = 0,

    /// <summary>Skip bad rows; the read result counts them and lists the first few with their reasons.</summary>
    Skip = 1,
}
