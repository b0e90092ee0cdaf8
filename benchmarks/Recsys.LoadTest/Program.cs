using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

// The HTTP load generator: N virtual users (closed loop) or a fixed request rate (open loop: latency from the
// scheduled send time, so a slow server cannot hide its queueing — no coordinated omission), a weighted task mix
// like the original locustfile, optional think time, optional model reloads during the run.
// The load generator's socket continuations never block (record a sample, write the next request): run them on the
// socket engine's threads, as wrk's event loop does, rather than hopping to the thread pool for each receive. It shares
// the server's cores, and this takes about a sixth off its CPU a request (README "Computed path"). Read by the runtime
// when the first socket is created, so it is set before any; an explicit setting of the variable wins.
if (Environment.GetEnvironmentVariable(SocketEngine.InlineCompletions) is null)
{
    Environment.SetEnvironmentVariable(SocketEngine.InlineCompletions, "1");
}

var url = new Option<string>("--url") { Description = "The server.", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
var users = new Option<int>("--users") { Description = "Concurrent virtual users (connections).", DefaultValueFactory = _ => 100 };
var duration = new Option<TimeSpan>("--duration") { Description = "How long to measure (after --warmup): 60, 60s, 2m or 500ms.", DefaultValueFactory = _ => TimeSpan.FromSeconds(30), CustomParser = r => Durations.Parse(r) };
var warmup = new Option<TimeSpan>("--warmup") { Description = "Load before measuring: 5, 5s, 1m or 500ms (0: measure from the first request).", DefaultValueFactory = _ => TimeSpan.FromSeconds(5), CustomParser = r => Durations.Parse(r, allowZero: true) };
var waitReady = new Option<TimeSpan?>("--wait-ready") { Description = "Poll GET /health/ready (every 10 ms, for at most this long) and start the moment it answers 200: measures a host from its readiness.", CustomParser = r => Durations.Parse(r) };
var requests = new Option<long?>("--requests") { Description = "Stop after this many measured requests instead of --duration." };
var rate = new Option<double?>("--rate") { Description = "Fixed-rate mode: requests per second across all users." };
var think = new Option<double>("--think-time") { Description = "Milliseconds each virtual user waits between requests (closed loop).", DefaultValueFactory = _ => 0 };
var mix = new Option<string>("--mix") { Description = "Task weights.", DefaultValueFactory = _ => "recommendations=3,filtered=1,health=1" };
var dataFile = new Option<FileInfo?>("--data") { Description = "ratings.csv whose user ids are requested (default: --user-range)." };
var userRange = new Option<string>("--user-range") { Description = "first-last numeric user ids.", DefaultValueFactory = _ => "1-610" };
var reloadEvery = new Option<TimeSpan?>("--reload-every") { Description = "Time between POST /admin/reload-models?force=true: 5, 5s or 1m.", CustomParser = r => Durations.Parse(r) };
var apiKey = new Option<string?>("--api-key") { Description = "The admin key for reloads (X-Api-Key)." };
var p95 = new Option<double?>("--target-p95") { Description = "Fail (exit 2) when overall p95 is above this many ms." };
var p99 = new Option<double?>("--target-p99") { Description = "Fail (exit 2) when overall p99 is above this many ms." };
var success = new Option<double?>("--target-success") { Description = "Fail (exit 2) when the success rate is below this percentage." };
var minRps = new Option<double?>("--target-rps") { Description = "Fail (exit 2) when throughput is below this many requests/s." };
var json = new Option<FileInfo?>("--json") { Description = "Also write the report as JSON here." };
var httpClient = new Option<bool>("--http-client") { Description = "Send through HttpClient instead of the load generator's own HTTP/1.1 connections (which need about three quarters of HttpClient's CPU a request); https URLs always use HttpClient." };
var timeline = new Option<bool>("--timeline") { Description = "Also print each measured second's requests, p50, p99 and max (by when a request was due): shows when a queue forms and clears." };
var root = new RootCommand("recsys-loadtest: HTTP load for the Recsys web host.")
{
    url, users, duration, warmup, waitReady, requests, rate, think, mix, dataFile, userRange, reloadEvery, apiKey, p95, p99, success, minRps, json, timeline, httpClient,
};
root.Validators.Add(result =>
{
    if (result.GetValue(rate) is { } perSecond && !(perSecond > 0 && double.IsFinite(perSecond)))
    {
        result.AddError($"--rate: {perSecond} is not a positive number of requests per second.");
    }

    if (result.GetValue(rate) is not null && result.GetValue(think) > 0)
    {
        result.AddError("--think-time applies to the closed loop; with --rate the schedule alone sets when requests are sent.");
    }
});
root.SetAction(async (r, ct) =>
{
    var settings = new LoadSettings(
        new Uri(r.GetValue(url)!),
        r.GetValue(users),
        r.GetValue(duration),
        r.GetValue(warmup),
        r.GetValue(requests),
        r.GetValue(rate),
        TimeSpan.FromMilliseconds(r.GetValue(think)),
        LoadTasks.Parse(r.GetValue(mix)!),
        LoadTasks.UserIds(r.GetValue(dataFile), r.GetValue(userRange)!),
        r.GetValue(reloadEvery),
        r.GetValue(apiKey),
        r.GetValue(waitReady),
        r.GetValue(httpClient));
    var report = await LoadRunner.RunAsync(settings, ct);
    report.Print(Console.Out, r.GetValue(timeline));
    if (r.GetValue(json) is { } file)
    {
        await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }), ct);
    }

    var missed = new List<string>();
    if (r.GetValue(p95) is { } maxP95 && report.Overall.P95 > maxP95)
    {
        missed.Add($"p95 {report.Overall.P95:F2} ms > {maxP95} ms");
    }

    if (r.GetValue(p99) is { } maxP99 && report.Overall.P99 > maxP99)
    {
        missed.Add($"p99 {report.Overall.P99:F2} ms > {maxP99} ms");
    }

    if (r.GetValue(success) is { } minSuccess && report.Overall.SuccessRate * 100 < minSuccess)
    {
        missed.Add($"success {report.Overall.SuccessRate:P3} < {minSuccess} %");
    }

    if (r.GetValue(minRps) is { } targetRps && report.Overall.Rps < targetRps)
    {
        missed.Add($"{report.Overall.Rps:F0} requests/s < {targetRps}");
    }

    if (report.ReloadFailures > 0)
    {
        missed.Add($"{report.ReloadFailures} of {report.Reloads} reloads failed: {report.ReloadError}");
    }

    foreach (var m in missed)
    {
        Console.Error.WriteLine($"target missed: {m}");
    }

    return missed.Count == 0 ? 0 : 2;
});
return await root.Parse(args).InvokeAsync();

internal static class SocketEngine
{
    /// <summary>The runtime's switch that runs socket continuations on its event threads (Linux, macOS).</summary>
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
}

internal sealed record LoadSettings(
    Uri Url, int Users, TimeSpan Duration, TimeSpan Warmup, long? Requests, double? Rate, TimeSpan Think,
    IReadOnlyList<(string Name, int Weight)> Mix, string[] UserIds, TimeSpan? ReloadEvery, string? ApiKey, TimeSpan? WaitReady = null,
    bool UseHttpClient = false);

/// <summary>One request of the mix: its task, the index of its user id, and (filtered) its minimum score.</summary>
internal readonly record struct LoadRequest(string Task, int User, double MinScore);

internal static class Durations
{
    /// <summary>A duration option: a number of seconds, or a number with the unit ms, s, m or h (60, 60s, 2m, 500ms).</summary>
    public static TimeSpan Parse(System.CommandLine.Parsing.ArgumentResult result, bool allowZero = false)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : "";
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && (value > 0 || (allowZero && value == 0)) && double.IsFinite(value))
        {
            return TimeSpan.FromSeconds(value * scale);
        }

        result.AddError($"{result.Argument.Name}: '{text}' is not a {(allowZero ? "" : "positive ")}duration such as {(allowZero ? "0, " : "")}60, 60s, 2m or 500ms.");
        return default;
    }
}

internal static class LoadTasks
{
    public static IReadOnlyList<(string Name, int Weight)> Parse(string text)
    {
        var known = new[] { "recommendations", "filtered", "health", "similar" };
        var mix = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var pieces = part.Split('=');
            if (pieces.Length != 2 || !known.Contains(pieces[0]) || !int.TryParse(pieces[1], CultureInfo.InvariantCulture, out var weight) || weight < 0)
            {
                throw new ArgumentException($"--mix entry '{part}' is not task=weight with a task among {string.Join(", ", known)}.");
            }

            return (pieces[0], weight);
        }).ToList();
        return mix.Sum(m => m.Item2) > 0 ? mix : throw new ArgumentException("--mix needs a positive total weight.");
    }

    public static string[] UserIds(FileInfo? ratings, string range)
    {
        if (ratings is not null)
        {
            return [.. File.ReadLines(ratings.FullName).Skip(1).Select(l => l[..l.IndexOf(',', StringComparison.Ordinal)]).Distinct()];
        }

        var bounds = range.Split('-');
        var first = int.Parse(bounds[0], CultureInfo.InvariantCulture);
        var last = int.Parse(bounds[1], CultureInfo.InvariantCulture);
        return [.. Enumerable.Range(first, last - first + 1).Select(i => i.ToString(CultureInfo.InvariantCulture))];
    }

    /// <summary>Draws the next request: a task by weight, a user, and the filtered task's minimum score.</summary>
    public static LoadRequest Next(string[] weights, int users, Random random)
    {
        var task = weights[random.Next(weights.Length)];
        var user = random.Next(users);
        return new LoadRequest(task, user, task == "filtered" ? Math.Round(random.NextDouble() * 0.5, 2) : 0);
    }
}

internal sealed record LatencySummary(string Task, long Requests, long Failures, double SuccessRate, double Rps, double P50, double P75, double P90, double P95, double P99, double Max);

internal sealed record LoadReport(string Mode, int Users, double Seconds, LatencySummary Overall, IReadOnlyList<LatencySummary> Tasks, long Reloads, long ReloadFailures, IReadOnlyList<string> SampleErrors, string? ReloadError = null, IReadOnlyList<LatencySummary>? Timeline = null)
{
    public void Print(TextWriter output, bool timeline = false)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Mode}, {Users} users, {Seconds:F1} s measured; reloads {Reloads} ({ReloadFailures} failed)"));
        output.WriteLine("| task | requests | failures | success | req/s | p50 ms | p75 ms | p90 ms | p95 ms | p99 ms | max ms |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in Tasks.Append(Overall))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {s.Task} | {s.Requests:N0} | {s.Failures:N0} | {s.SuccessRate:P3} | {s.Rps:N0} | {s.P50:F2} | {s.P75:F2} | {s.P90:F2} | {s.P95:F2} | {s.P99:F2} | {s.Max:F2} |"));
        }

        foreach (var error in SampleErrors)
        {
            output.WriteLine($"error: {error}");
        }

        if (timeline && Timeline is not null)
        {
            output.WriteLine("| second | requests | p50 ms | p99 ms | max ms |");
            output.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var s in Timeline)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {s.Task} | {s.Requests:N0} | {s.P50:F2} | {s.P99:F2} | {s.Max:F2} |"));
            }
        }
    }
}

internal static class LoadRunner
{
    // Polls the readiness endpoint until it answers 200; a host that does not within `patience` is an error.
    private static async Task WaitReadyAsync(HttpClient client, TimeSpan patience, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(patience.TotalSeconds * Stopwatch.Frequency);
        string last = "no answer";
        while (Stopwatch.GetTimestamp() < deadline)
        {
            try
            {
                using var response = await client.GetAsync("/health/ready", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(10, cancellationToken);
        }

        throw new TimeoutException($"{client.BaseAddress}health/ready did not answer 200 within {patience.TotalSeconds:F0} s (last: {last}).");
    }

    public static async Task<LoadReport> RunAsync(LoadSettings settings, CancellationToken cancellationToken)
    {
        // The readiness poll and the reloads go through HttpClient; the measured requests through `load`.
        using var client = new HttpClient { BaseAddress = settings.Url, Timeout = LoadClient.Timeout };
        using var load = LoadClient.Create(settings);
        var weights = settings.Mix.SelectMany(m => Enumerable.Repeat(m.Name, m.Weight)).ToArray();
        var recorders = Enumerable.Range(0, settings.Users).Select(i => new Recorder(i)).ToArray();
        long measured = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.WaitReady is { } patience)
        {
            await WaitReadyAsync(client, patience, cancellationToken);
        }

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(settings.Warmup.TotalSeconds * Stopwatch.Frequency);
        long reloads = 0, reloadFailures = 0;
        string? reloadError = null;
        long measuredUntil = 0;

        var reloader = settings.ReloadEvery is { } every ? Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(every, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                using var reload = new HttpRequestMessage(HttpMethod.Post, "/admin/reload-models?force=true");
                reload.Headers.Add("X-Api-Key", settings.ApiKey ?? "");
                try
                {
                    using var response = await client.SendAsync(reload, CancellationToken.None);
                    Interlocked.Increment(ref reloads);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref reloadFailures);
                        var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                        var why = response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden
                            ? $"the host refused the admin key (HTTP {(int)response.StatusCode}; pass --api-key with the host's Recsys:AdminApiKey)"
                            : $"HTTP {(int)response.StatusCode}";
                        Interlocked.CompareExchange(ref reloadError, $"{why}: {(body.Length > 300 ? body[..300] : body)}", null);
                    }
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref reloads);
                    Interlocked.Increment(ref reloadFailures);
                    Interlocked.CompareExchange(ref reloadError, e.Message, null);
                }
            }
        }) : Task.CompletedTask;

        async Task SendAsync(Recorder recorder, LoadRequest request, long scheduled)
        {
            var task = request.Task;
            var error = await load.SendAsync(recorder.Index, request);
            var latency = Stopwatch.GetTimestamp() - scheduled;
            if (scheduled < measureFrom)
            {
                return;
            }

            if (settings.Requests is not { } limit)
            {
                recorder.Add(task, latency, scheduled - measureFrom, error);
                return;
            }

            // A request count: exactly that many are measured; requests still in flight when it is reached are not.
            var number = Interlocked.Increment(ref measured);
            if (number <= limit)
            {
                recorder.Add(task, latency, scheduled - measureFrom, error);
            }

            if (number == limit)
            {
                measuredUntil = Stopwatch.GetTimestamp();
                await stop.CancelAsync();
            }
        }

        Task[] workers;
        if (settings.Rate is { } rate)
        {
            // Open loop: request k is due at start + k / rate and its latency counts from then, not from when a user was
            // free (no coordinated omission). One dedicated dispatcher thread keeps the schedule, so neither the timer
            // queue nor a busy thread pool can shift it: it sleeps 1 ms at a time (it never spins, which would take a
            // core from the server) and sends every request that is due, so a request can leave up to about 1 ms late,
            // and that lateness is part of its measured latency. Each request takes a free virtual user (connection);
            // when all are busy it waits for one while its clock runs.
            var free = new SemaphoreSlim(recorders.Length);
            var idle = new System.Collections.Concurrent.ConcurrentBag<Recorder>(recorders);
            var inFlight = new System.Collections.Concurrent.ConcurrentDictionary<Task, byte>();
            var dispatched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var dispatcher = new Thread(() =>
            {
                try
                {
                    var random = new Random(7919);
                    var interval = Stopwatch.Frequency / rate;
                    for (long k = 1; !stop.IsCancellationRequested; k++)
                    {
                        var scheduled = start + (long)(k * interval);
                        while (scheduled > Stopwatch.GetTimestamp() && !stop.IsCancellationRequested)
                        {
                            Thread.Sleep(1);
                        }

                        free.Wait(stop.Token);
                        idle.TryTake(out var recorder);
                        var request = LoadTasks.Next(weights, settings.UserIds.Length, random);
                        var send = Task.Run(() => SendAsync(recorder!, request, scheduled), CancellationToken.None);
                        inFlight.TryAdd(send, 0);
                        send.ContinueWith(
                            done =>
                            {
                                inFlight.TryRemove(done, out _);
                                idle.Add(recorder!);
                                free.Release();
                            },
                            CancellationToken.None,
                            TaskContinuationOptions.ExecuteSynchronously,
                            TaskScheduler.Default);
                    }
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    dispatched.SetResult();
                }
            })
            { IsBackground = true, Name = "load dispatcher", Priority = ThreadPriority.AboveNormal };
            dispatcher.Start();
            workers = [dispatched.Task.ContinueWith(_ => Task.WhenAll(inFlight.Keys), TaskScheduler.Default).Unwrap()];
        }
        else
        {
            // Closed loop: each virtual user sends, waits for the answer, thinks, and sends again.
            workers = recorders.Select((recorder, index) => Task.Run(async () =>
            {
                var random = new Random(index * 7919 + 1);
                while (!stop.IsCancellationRequested)
                {
                    await SendAsync(recorder, LoadTasks.Next(weights, settings.UserIds.Length, random), Stopwatch.GetTimestamp());
                    if (settings.Think > TimeSpan.Zero)
                    {
                        try
                        {
                            await Task.Delay(settings.Think, stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }
                    }
                }
            }, CancellationToken.None)).ToArray();
        }

        if (settings.Requests is null)
        {
            try
            {
                await Task.Delay(settings.Warmup + settings.Duration, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await stop.CancelAsync();
        }

        await Task.WhenAll(workers);
        await reloader;
        var end = Interlocked.Read(ref measuredUntil) is > 0 and var until ? until : Stopwatch.GetTimestamp();
        var seconds = Math.Max(1e-9, (double)(end - measureFrom) / Stopwatch.Frequency);
        var all = recorders.SelectMany(r => r.Samples).ToList();
        var tasks = all.GroupBy(s => s.Task).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Summarize(g.Key, [.. g], seconds)).ToList();
        return new LoadReport(
            settings.Rate is { } rr ? $"fixed rate {rr:N0}/s" : "closed loop",
            settings.Users,
            seconds,
            Summarize("all", all, seconds),
            tasks,
            reloads,
            reloadFailures,
            [.. recorders.SelectMany(r => r.Errors).Take(5)],
            reloadError,
            [.. all.GroupBy(s => s.Due / Stopwatch.Frequency).OrderBy(g => g.Key).Select(g => Summarize((g.Key + 1).ToString(CultureInfo.InvariantCulture), [.. g], 1))]);
    }

    private static LatencySummary Summarize(string task, List<Sample> samples, double seconds)
    {
        var latencies = samples.Select(s => s.Ticks * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        var failures = samples.LongCount(s => s.Failed);
        return new LatencySummary(task, samples.Count, failures, samples.Count == 0 ? double.NaN : 1 - (double)failures / samples.Count, samples.Count / seconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.75), Percentile(latencies, 0.90), Percentile(latencies, 0.95), Percentile(latencies, 0.99), Percentile(latencies, 1));
    }

    /// <summary>
    /// The nearest-rank percentile: the smallest sample with at least a fraction <paramref name="p"/> of the samples at
    /// or below it (p = 1 is the maximum); NaN without samples.
    /// </summary>
    internal static double Percentile(double[] sorted, double p)
    {
        // 1e-9 keeps p·n that is an integer in exact arithmetic from rounding up to the next rank (0.07 × 100 is
        // 7.000000000000001 in doubles).
        var rank = (int)Math.Ceiling((p * sorted.Length) - 1e-9);
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    // Due: when the request was due (sent, in the closed loop), in ticks after measuring began.
    private readonly record struct Sample(string Task, long Ticks, long Due, bool Failed);

    private sealed class Recorder(int index)
    {
        /// <summary>Gets the virtual user's number (its connection).</summary>
        public int Index { get; } = index;

        public List<Sample> Samples { get; } = new(1 << 16);

        public List<string> Errors { get; } = [];

        public void Add(string task, long ticks, long due, string? error)
        {
            Samples.Add(new Sample(task, ticks, due, error is not null));
            if (error is not null && Errors.Count < 5)
            {
                Errors.Add(error.Length > 300 ? error[..300] : error);
            }
        }
    }
}
