using System.Diagnostics;
using System.Globalization;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Recommenders;

namespace Recsys.Tuning;

/// <summary>
/// Searches an algorithm's hyper-parameters: plans the trials of a <see cref="SearchSpace"/> (grid or random), then
/// fits each on a training slice and scores it on a validation slice, both carved from the data it is given (pass the
/// training part of a split: the test part must never choose the parameters), in parallel up to a bound and within
/// the time budget.
/// </summary>
public sealed class HyperParameterSearch
{
    private static readonly Dictionary<string, (bool Integer, Action<AlgorithmSettings, double> Set)> Tunable = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(AlgorithmSettings.Rank)] = (true, static (s, v) => s.Rank = (int)v),
        [nameof(AlgorithmSettings.Epochs)] = (true, static (s, v) => s.Epochs = (int)v),
        [nameof(AlgorithmSettings.Neighbors)] = (true, static (s, v) => s.Neighbors = (int)v),
        [nameof(AlgorithmSettings.Regularization)] = (false, static (s, v) => s.Regularization = v),
        [nameof(AlgorithmSettings.LearningRate)] = (false, static (s, v) => s.LearningRate = v),
        [nameof(AlgorithmSettings.Alpha)] = (false, static (s, v) => s.Alpha = v),
        [nameof(AlgorithmSettings.Shrinkage)] = (false, static (s, v) => s.Shrinkage = v),
    };

    private readonly AlgorithmSettings _baseSettings;
    private readonly SearchSpace _space;

    /// <summary>Initializes a new instance of the <see cref="HyperParameterSearch"/> class and plans its trials.</summary>
    /// <param name="algorithm">A built-in algorithm (see <see cref="RecommenderAlgorithms.Names"/>).</param>
    /// <param name="baseSettings">The settings every trial starts from (the searched ones are overridden), or <see langword="null"/>.</param>
    /// <param name="space">The search.</param>
    /// <exception cref="ArgumentException">The algorithm is unknown, a parameter cannot be searched or does not apply to it, a range is invalid, or the metric is unknown.</exception>
    public HyperParameterSearch(string algorithm, AlgorithmSettings? baseSettings, SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var reads = RecommenderAlgorithms.SettingsOf(algorithm);
        if (space.Parameters.Count == 0)
        {
            throw new ArgumentException($"The search space of {algorithm} names no parameter; it can vary {Describe(reads)}.", nameof(space));
        }

        foreach (var (name, range) in space.Parameters)
        {
            if (!Tunable.ContainsKey(name) || !reads.Contains(Canonical(name), StringComparer.Ordinal))
            {
                throw new ArgumentException($"'{name}' cannot be searched for {algorithm}; it can vary {Describe(reads)}.", nameof(space));
            }

            Check(name, range);
        }

        if (space.MaxTrials is < 1 or > 10_000)
        {
            throw new ArgumentException($"MaxTrials is {space.MaxTrials}; it must be 1 to 10,000.", nameof(space));
        }

        if (!(space.ValidationFraction is > 0 and <= 0.5))
        {
            throw new ArgumentException($"ValidationFraction is {space.ValidationFraction}; it must be above 0 and at most 0.5.", nameof(space));
        }

        if (space.TimeBudget is { } budget && budget <= TimeSpan.Zero)
        {
            throw new ArgumentException("TimeBudget must be positive when set.", nameof(space));
        }

        var purpose = RecommenderAlgorithms.PurposeOf(algorithm)!.Value;
        Metric = space.Metric ?? MetricCatalog.DefaultMetric(purpose);
        if (!MetricCatalog.Names.Contains(Metric, StringComparer.OrdinalIgnoreCase) || MetricCatalog.PurposeOf(Metric) == ModelPurpose.None)
        {
            throw new ArgumentException($"'{Metric}' is not a metric to search by; use one of {string.Join(", ", MetricCatalog.Names.Where(m => MetricCatalog.PurposeOf(m) != ModelPurpose.None))}.", nameof(space));
        }

        Algorithm = algorithm;
        HigherIsBetter = MetricCatalog.HigherIsBetter(Metric);
        _baseSettings = baseSettings ?? new AlgorithmSettings();
        _space = space;
        Plan = space.Strategy == SearchStrategy.Grid ? PlanGrid() : PlanRandom();
    }

    /// <summary>Gets the algorithm searched.</summary>
    public string Algorithm { get; }

    /// <summary>Gets the metric the trials are ranked by.</summary>
    public string Metric { get; }

    /// <summary>Gets a value indicating whether a higher <see cref="Metric"/> is better.</summary>
    public bool HigherIsBetter { get; }

    /// <summary>Gets the planned trials' parameters, in trial order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Plan { get; }

    /// <summary>Gets the settings of a trial: the base settings with the trial's parameters applied.</summary>
    /// <param name="parameters">A trial's parameters.</param>
    /// <returns>New settings.</returns>
    public AlgorithmSettings SettingsFor(IReadOnlyDictionary<string, double> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var b = _baseSettings;
        var settings = new AlgorithmSettings
        {
            Rank = b.Rank,
            Epochs = b.Epochs,
            Regularization = b.Regularization,
            LearningRate = b.LearningRate,
            Alpha = b.Alpha,
            Neighbors = b.Neighbors,
            Shrinkage = b.Shrinkage,
            Threads = b.Threads,
            Seed = b.Seed,
            Components = b.Components,
            Weights = b.Weights,
        };
        foreach (var (name, value) in parameters)
        {
            Tunable[name].Set(settings, value);
        }

        return settings;
    }

    /// <summary>Runs the planned trials on a slice of <paramref name="training"/> and scores them on the rest.</summary>
    /// <param name="training">The data to search on: the training part of the caller's split.</param>
    /// <param name="validator">Holds out the validation slice and scores each trial on it (<c>HoldoutValidator</c> from Recsys.Evaluation, with the run's K and relevance threshold).</param>
    /// <param name="maxParallelism">How many trials run at once.</param>
    /// <param name="onTrial">Called as each trial ends (for example to record it), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The trials and the best of them.</returns>
    /// <exception cref="InvalidOperationException">Every trial failed; the message gives the first error.</exception>
    public async Task<SearchResult> RunAsync(InteractionDataset training, IHoldoutValidator validator, int maxParallelism, Func<TrialResult, CancellationToken, ValueTask>? onTrial, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(validator);
        var split = validator.Split(training, _space.ValidationFraction, _space.Seed);
        var clock = Stopwatch.StartNew();
        var results = new TrialResult?[Plan.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, Plan.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallelism), CancellationToken = cancellationToken },
            async (k, ct) =>
            {
                if (_space.TimeBudget is { } budget && clock.Elapsed >= budget)
                {
                    return;
                }

                var result = await Task.Run(() => RunTrial(k, split, validator, ct), ct).ConfigureAwait(false);
                results[k] = result;
                if (onTrial is not null)
                {
                    await onTrial(result, ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);

        var trials = results.OfType<TrialResult>().ToList();
        var succeeded = trials.Where(static t => t.Error is null && double.IsFinite(t.Metric)).ToList();
        if (succeeded.Count == 0)
        {
            throw new InvalidOperationException(trials.Count == 0
                ? $"No trial of {Algorithm} ran within the time budget of {_space.TimeBudget}."
                : $"All {trials.Count} trials of {Algorithm} failed; the first: {trials.First(static t => t.Error is not null || !double.IsFinite(t.Metric)).Error ?? "no finite metric"}");
        }

        // Best metric first; ties go to the earlier trial.
        var best = succeeded.OrderBy(t => HigherIsBetter ? -t.Metric : t.Metric).ThenBy(static t => t.Number).First();
        return new SearchResult(Metric, HigherIsBetter, trials, best, Plan.Count);
    }

    private TrialResult RunTrial(int k, DataSplit split, IHoldoutValidator validator, CancellationToken cancellationToken)
    {
        var parameters = Plan[k];
        var started = DateTimeOffset.UtcNow;
        var timer = Stopwatch.StartNew();
        try
        {
            var model = RecommenderAlgorithms.Create(Algorithm, SettingsFor(parameters), validator).Fit(split.Train, null, cancellationToken);
            var score = validator.Evaluate(model, split.Test, cancellationToken);
            return new TrialResult(k + 1, parameters, MetricCatalog.ValueOf(Metric, score) ?? double.NaN, started, timer.Elapsed, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new TrialResult(k + 1, parameters, double.NaN, started, timer.Elapsed, e.Message);
        }
    }

    private List<IReadOnlyDictionary<string, double>> PlanGrid()
    {
        var axes = _space.Parameters.Select(p => (Name: Canonical(p.Key), Values: GridValues(p.Key, p.Value))).OrderBy(static a => a.Name, StringComparer.Ordinal).ToList();
        var combinations = new List<IReadOnlyDictionary<string, double>> { new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase) };
        foreach (var (name, values) in axes)
        {
            combinations = [.. combinations.SelectMany(c => values.Select(v => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>((IDictionary<string, double>)c, StringComparer.OrdinalIgnoreCase) { [name] = v }))];
        }

        if (combinations.Count <= _space.MaxTrials)
        {
            return combinations;
        }

        // Evenly spaced through the grid, so a capped grid still spans every axis.
        var picked = new List<IReadOnlyDictionary<string, double>>(_space.MaxTrials);
        for (var k = 0; k < _space.MaxTrials; k++)
        {
            picked.Add(combinations[_space.MaxTrials == 1 ? 0 : (int)Math.Round(k * (combinations.Count - 1) / (double)(_space.MaxTrials - 1))]);
        }

        return picked;
    }

    private List<IReadOnlyDictionary<string, double>> PlanRandom()
    {
        var random = new Random((int)(_space.Seed ^ (_space.Seed >> 32)));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var plan = new List<IReadOnlyDictionary<string, double>>(_space.MaxTrials);
        for (var attempt = 0; plan.Count < _space.MaxTrials && attempt < 20 * _space.MaxTrials; attempt++)
        {
            var trial = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, range) in _space.Parameters.OrderBy(static p => p.Key, StringComparer.OrdinalIgnoreCase))
            {
                double value;
                if (range.Values is { Count: > 0 } values)
                {
                    value = values[random.Next(values.Count)];
                }
                else
                {
                    var u = random.NextDouble();
                    value = range.Log
                        ? Math.Exp(Math.Log(range.Min!.Value) + (u * (Math.Log(range.Max!.Value) - Math.Log(range.Min.Value))))
                        : range.Min!.Value + (u * (range.Max!.Value - range.Min.Value));
                }

                trial[Canonical(name)] = Tunable[name].Integer ? Math.Round(value) : value;
            }

            // A space with few distinct points (integers, short value lists) is not drawn twice at the same point.
            if (seen.Add(new TrialResult(0, trial, 0, default, default, null).DescribeParameters()))
            {
                plan.Add(trial);
            }
        }

        return plan;
    }

    private static double[] GridValues(string name, ParameterRange range)
    {
        IEnumerable<double> values;
        if (range.Values is { Count: > 0 } given)
        {
            values = given;
        }
        else
        {
            var (min, max, n) = (range.Min!.Value, range.Max!.Value, range.GridPoints);
            values = Enumerable.Range(0, n).Select(k => n == 1 ? min
                : range.Log ? Math.Exp(Math.Log(min) + (k * (Math.Log(max) - Math.Log(min)) / (n - 1)))
                : min + (k * (max - min) / (n - 1)));
        }

        return [.. values.Select(v => Tunable[name].Integer ? Math.Round(v) : v).Distinct()];
    }

    private static void Check(string name, ParameterRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        if (range.Values is { } values)
        {
            if (values.Count == 0 || values.Any(static v => !double.IsFinite(v)))
            {
                throw new ArgumentException($"'{name}': Values must hold at least one finite number.", nameof(range));
            }

            return;
        }

        if (range.Min is not { } min || range.Max is not { } max || !double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            throw new ArgumentException($"'{name}' needs Values, or finite Min ≤ Max.", nameof(range));
        }

        if (range.Log && min <= 0)
        {
            throw new ArgumentException($"'{name}' is searched on a log scale, so Min must be positive (it is {min.ToString(CultureInfo.InvariantCulture)}).", nameof(range));
        }

        if (range.GridPoints < 1)
        {
            throw new ArgumentException($"'{name}': GridPoints must be at least 1.", nameof(range));
        }
    }

    private static string Canonical(string name) => Tunable.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

    private static string Describe(IReadOnlyList<string> reads)
    {
        var tunable = reads.Where(Tunable.ContainsKey).ToList();
        return tunable.Count == 0 ? "nothing" : string.Join(", ", tunable);
    }
}
