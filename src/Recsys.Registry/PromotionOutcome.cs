namespace Recsys.Registry;

/// <summary>What the promotion policy decided about a candidate.</summary>
public enum PromotionOutcome
{
    /// <summary>The candidate goes to Production (the old Production version is archived).</summary>
    Promote = 0,

    /// <summary>The candidate goes to Staging.</summary>
    Stage = 1,

    /// <summary>The candidate fails a gate and is archived.</summary>
    Reject = 2,
}
