namespace Recsys.Registry;

/// <summary>The lifecycle stage of a model version, as in MLflow's model registry.</summary>
public enum ModelStage
{
    /// <summary>Registered, not in use.</summary>
    None = 0,

    /// <summary>Being tried out.</summary>
    Staging = 1,

    /// <summary>Served.</summary>
    Production = 2,

    /// <summary>Retired.</summary>
    Archived = 3,
}
