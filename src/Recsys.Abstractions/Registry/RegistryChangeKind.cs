namespace Recsys.Registry;

/// <summary>What a <see cref="RegistryChange"/> records.</summary>
public enum RegistryChangeKind
{
    /// <summary>A version was registered (its artifact is stored).</summary>
    VersionRegistered = 0,

    /// <summary>A version moved between stages.</summary>
    StageChanged = 1,

    /// <summary>An alias was set or moved.</summary>
    AliasSet = 2,

    /// <summary>An alias was deleted.</summary>
    AliasDeleted = 3,

    /// <summary>A stage was rolled back to the version it had before.</summary>
    StageRolledBack = 4,

    /// <summary>An alias was rolled back to the version it had before.</summary>
    AliasRolledBack = 5,

    /// <summary>The promotion policy decided about a candidate (the reason holds the decision and its numbers).</summary>
    PromotionDecided = 6,

    /// <summary>The version's artifact was deleted; its metadata and history are kept.</summary>
    ArtifactDeleted = 7,
}
