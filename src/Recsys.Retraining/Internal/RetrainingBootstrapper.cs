using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Retraining.Internal;

// The first version of an empty model: one retraining run (trigger "bootstrap") with the request's algorithm as the
// only candidate, on the request's file or the built-in synthetic data, promoted on the metric its purpose makes
// meaningful. Serving calls it through IModelBootstrapper and keeps the lock, the waiting and the stage or alias.
internal sealed class RetrainingBootstrapper(ModelFormat format, IModelRegistry registry, IRunStore runs, ILoggerFactory loggers, TimeProvider time, IMeterFactory? meters = null) : IModelBootstrapper
{
    public Task<RetrainingRun> BootstrapAsync(ModelBootstrapRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = request.DataPath is { } path
            ? InteractionSources.File(path)
            : InteractionSources.Synthetic(new SyntheticDataOptions { Seed = request.Seed });
        var options = new RetrainingOptions
        {
            ModelName = request.ModelName,
            Split = string.Create(CultureInfo.InvariantCulture, $"random:{request.TestFraction}"),
            Seed = request.Seed,
            Refit = request.Refit,
            MoviesPath = request.MoviesPath,
            MaxParallelism = 1,
        };
        options.Candidates.Add(new CandidateOptions { Algorithm = request.Algorithm });
        options.Promotion.PrimaryMetric = MetricCatalog.DefaultMetric(RecommenderAlgorithms.PurposeOf(request.Algorithm));
        var flow = new RetrainingService(registry, runs, source, Options.Create(options), loggers.CreateLogger<RetrainingService>(), time: time, meterFactory: meters, modelFormat: format);
        return flow.RunAsync("bootstrap", cancellationToken);
    }
}
