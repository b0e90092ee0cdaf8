using System.Globalization;
using Microsoft.Extensions.Logging;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Retraining.Internal;

/// <summary>One candidate's version: registered by this run (<paramref name="New"/>), or an existing one with its recipe and data.</summary>
internal sealed record Registration(int Candidate, ModelVersion Version, bool New);

/// <summary>
/// What the two pipelines of a run (<see cref="CandidatePipeline"/> in memory, <see cref="DiskPipeline"/> beyond it)
/// share: the models a run trains, their names in the history, the promotion step and the retention step.
/// </summary>
internal sealed class RunSteps(IModelRegistry registry, RetrainingOptions options, ILogger logger)
{
    /// <summary>The models the candidates are versions of, the run's own model first.</summary>
    public List<string> Targets() => [.. options.Candidates.Select(TargetOf).Prepend(options.ModelName).Distinct(StringComparer.Ordinal)
        .Where(m => options.Candidates.Any(c => TargetOf(c) == m))];

    /// <summary>The model a candidate is a version of.</summary>
    public string TargetOf(CandidateOptions candidate) => candidate.ModelName ?? options.ModelName;

    /// <summary>The model a line is about, when a run trains several.</summary>
    public string Prefix(string model) => options.Candidates.All(c => TargetOf(c) == options.ModelName) ? "" : $"{model}: ";

    /// <summary>A candidate's name in the history, with its model when that is not the run's own.</summary>
    public string Label(CandidateOptions candidate) => TargetOf(candidate) == options.ModelName ? candidate.Name : $"{candidate.Name} ({TargetOf(candidate)})";

    /// <summary>
    /// A step that trains one candidate off the caller's thread, in a <c>recsys.train</c> activity, its epochs reported
    /// to the log and the run's metrics.
    /// </summary>
    public Task<T> TrainStepAsync<T>(FlowRun flow, string name, CandidateOptions candidate, Func<IProgress<TrainingProgress>, CancellationToken, T> fit, Func<T, string> describe, CancellationToken cancellationToken) =>
        flow.StepAsync(
            name,
            options.Train,
            token => Task.Run(
                () =>
                {
                    using var training = RetrainingTelemetry.Source.StartActivity("recsys.train");
                    training?.SetTag(RecsysTelemetry.Algorithm, candidate.Algorithm);
                    return fit(new ProgressLog(logger, flow.RunId, name, TargetOf(candidate), candidate.Name), token);
                },
                token),
            describe,
            cancellationToken);

    /// <summary>The "promote" step: for each model, the best of its new versions against its Production (<see cref="CandidatePromoter"/>).</summary>
    public Task<string> PromoteAsync(FlowRun flow, IReadOnlyList<string> targets, IReadOnlyList<Registration> registered, IReadOnlyList<ModelPurpose> purposes, IReadOnlyDictionary<string, ProductionEvaluation?> productions, CancellationToken cancellationToken) =>
        flow.StepAsync(
            "promote",
            options.Registry,
            async ct =>
            {
                var decisions = new List<string>();
                foreach (var target in targets)
                {
                    var members = registered.Where(r => r.Version.ModelName == target).ToList();
                    var fresh = members.Where(r => r.New).ToList();
                    var unchanged = string.Join("; ", members.Where(r => !r.New).Select(r => $"{r.Version.Trainer} unchanged: v{r.Version.Version} already has its recipe trained on this data, so no version was registered"));
                    decisions.Add(Prefix(target) + (fresh.Count == 0
                        ? $"no promotion: {unchanged}"
                        : await new CandidatePromoter(registry, options.Promotion).PromoteAsync(flow.RunId, [.. fresh.Select(r => r.Version)], [.. fresh.Select(r => purposes[r.Candidate])], productions[target], ct).ConfigureAwait(false)
                            + (unchanged.Length > 0 ? $"; {unchanged}" : "")));
                }

                return string.Join(" | ", decisions);
            },
            d => d,
            cancellationToken);

    /// <summary>The "retention" step, when <see cref="RetrainingOptions.KeepVersions"/> is set.</summary>
    public async Task RetainAsync(FlowRun flow, IReadOnlyList<string> targets, CancellationToken cancellationToken)
    {
        if (options.KeepVersions is not { } keep)
        {
            return;
        }

        await flow.StepAsync(
            "retention",
            options.Registry,
            async ct =>
            {
                var removed = new List<string>();
                foreach (var target in targets)
                {
                    removed.AddRange((await new VersionRetention(registry, logger).ApplyAsync(target, keep, flow.RunId, ct).ConfigureAwait(false)).Select(v => $"{Prefix(target)}v{v}"));
                }

                return removed;
            },
            r => r.Count == 0
                ? string.Create(CultureInfo.InvariantCulture, $"nothing beyond the newest {keep} non-Production versions")
                : string.Create(CultureInfo.InvariantCulture, $"artifacts deleted (metadata and history kept), beyond the newest {keep} non-Production versions: {string.Join(", ", r)}"),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A model's version in Production, or null when the model or its Production does not exist.</summary>
    public async Task<ModelVersion?> ProductionVersionAsync(string model, CancellationToken cancellationToken) =>
        await registry.FindModelAsync(model, cancellationToken).ConfigureAwait(false) is null
            ? null
            : await registry.GetByStageAsync(model, ModelStage.Production, cancellationToken).ConfigureAwait(false);

    /// <summary>An evaluation's metrics as the history shows them.</summary>
    public static string Describe(EvaluationResult r) =>
        string.Create(CultureInfo.InvariantCulture, $"rmse {r.Rmse:F4}, ndcg@{r.K} {r.NdcgAtK:F4}");
}

/// <summary>Training progress to the log (step, epoch, loss).</summary>
internal sealed class ProgressLog(ILogger logger, string runId, string step, string model, string candidate) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        Log.Progress(logger, runId, step, value.Epoch, value.Epochs, value.Loss);
        RetrainingTelemetry.Progress(model, candidate, value.Epoch, value.Loss);
    }
}
