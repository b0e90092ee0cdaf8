namespace Recsys.Registry;

/// <summary>Whether a version's artifact is complete.</summary>
public enum ModelVersionStatus
{
    /// <summary>The version number is reserved; the artifact is being stored.</summary>
    Pending = 0,

    /// <summary>The artifact is stored and verified; the version can be served.</summary>
    Ready = 1,

    /// <summary>Storing the artifact failed, or the registering process died; never served.</summary>
    Failed = 2,

    /// <summary>
    /// The version's artifact was deleted (by a retention policy or an operator); its metadata, metrics, lineage and
    /// history are kept, but it can no longer be loaded, served or moved to a stage.
    /// </summary>
    ArtifactDeleted = 3,
}
