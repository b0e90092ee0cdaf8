namespace Recsys.Runs;

/// <summary>
/// Trains, registers and promotes a first version of a model whose registry holds none. Serving calls it when its
/// bootstrap is enabled (under a registry-wide lock, so one replica of several trains); the retraining package
/// provides it (<c>services.AddRecsysBootstrap()</c>, also added by <c>AddRetraining</c>), so serving itself does not
/// depend on training.
/// </summary>
public interface IModelBootstrapper
{
    /// <summary>Runs one retraining run for the request's model (trigger <c>bootstrap</c>, recorded in the run history).</summary>
    /// <param name="request">The model, its algorithm and the data.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The finished run: succeeded with a promoted version, or failed with its error.</returns>
    Task<RetrainingRun> BootstrapAsync(ModelBootstrapRequest request, CancellationToken cancellationToken);
}
