namespace Recsys.Baselines;

/// <summary>What the <see cref="PopularityTrainer"/> counts.</summary>
public enum PopularityKind
{
    /// <summary>The number of interactions of every item.</summary>
    InteractionCount = 0,

    /// <summary>The number of interactions whose value reaches <see cref="PopularityOptions.PositiveThreshold"/>.</summary>
    PositiveCount = 1,
}
