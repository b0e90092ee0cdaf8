namespace Recsys.Runs;

/// <summary>
/// The bootstrap of an empty registry, a hosted service of Recsys.Retraining (<c>services.AddRecsysBootstrap()</c>): it
/// trains, registers and promotes a first version of each of <see cref="Models"/> that has none. Serving does not
/// train; a serving host in the same process waits for <see cref="Completion"/> before its start-up counts as finished,
/// and picks the versions up from the registry like any other new version.
/// </summary>
public interface IModelBootstrapper
{
    /// <summary>Gets the models the bootstrap covers (empty when it is turned off).</summary>
    IReadOnlyCollection<string> Models { get; }

    /// <summary>
    /// Gets a task that completes when the bootstrap has finished: every model had versions, or the first ones were
    /// registered and put at their stage or alias. It faults with the reason when a bootstrap run failed.
    /// </summary>
    Task Completion { get; }
}
