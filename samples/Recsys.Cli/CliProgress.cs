using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Recsys.Cli;

/// <summary>
/// Progress of long CLI work on standard error: on a terminal, Spectre.Console bars redrawn in place (rows, epochs
/// with the loss, steps); when standard error is redirected, TERM is dumb or --json is given, plain lines, at most
/// one a second per bar plus the last. Standard output keeps only the command's result either way.
/// </summary>
internal sealed class CliProgress
{
    private static IAnsiConsole? _live;
    private readonly ProgressContext? _context;

    private CliProgress(ProgressContext? context) => _context = context;

    /// <summary>A line on standard error: above the bars while they are drawn, so neither garbles the other.</summary>
    public static void WriteLine(string text)
    {
        if (Volatile.Read(ref _live) is { } console)
        {
            console.Write(new Text(text + Environment.NewLine));
        }
        else
        {
            Console.Error.WriteLine(text);
        }
    }

    /// <summary>Whether bars are drawn (a terminal) rather than lines written.</summary>
    public static bool Interactive(bool json) =>
        !json && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not ("dumb" or null or "");

    public static async Task<T> RunAsync<T>(bool json, Func<CliProgress, Task<T>> work)
    {
        if (!Interactive(json))
        {
            return await work(new CliProgress(null));
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error), Interactive = InteractionSupport.Yes });
        Volatile.Write(ref _live, console);
        try
        {
            return await console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(context => work(new CliProgress(context)));
        }
        finally
        {
            Volatile.Write(ref _live, null);
        }
    }

    public static T Run<T>(bool json, Func<CliProgress, T> work) => RunAsync(json, p => Task.FromResult(work(p))).GetAwaiter().GetResult();

    /// <summary>A bar: <paramref name="total"/> units, or null when the total is unknown (the bar then pulses).</summary>
    public Bar Start(string name, double? total) => new(this, name, total);

    internal sealed class Bar
    {
        private readonly string _name;
        private readonly double? _total;
        private readonly ProgressTask? _task;
        private long _lastLine = long.MinValue;
        private string? _pending;
        private string? _written;

        public Bar(CliProgress owner, string name, double? total)
        {
            _name = name;
            _total = total;
            if (owner._context is { } context)
            {
                _task = context.AddTask(Markup.Escape(name), maxValue: total ?? 100);
                _task.IsIndeterminate = total is null;
            }
        }

        /// <summary>Moves the bar to <paramref name="value"/>, with a detail such as the loss.</summary>
        public void Report(double value, string detail)
        {
            if (_task is not null)
            {
                _task.Value = _total is null ? 0 : Math.Min(value, _total.Value);
                _task.Description = Markup.Escape($"{_name}  {detail}");
                return;
            }

            // Plain lines: at most one a second; the pending one is written by Done.
            var line = $"{_name}: {detail}";
            var now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(_lastLine == long.MinValue ? 0 : _lastLine, now) >= TimeSpan.FromSeconds(1) || _lastLine == long.MinValue)
            {
                CliProgress.WriteLine(line);
                _lastLine = now;
                _pending = null;
                _written = line;
            }
            else
            {
                _pending = line;
            }
        }

        public void Done(string? detail = null)
        {
            if (_task is not null)
            {
                if (detail is not null)
                {
                    _task.Description = Markup.Escape($"{_name}  {detail}");
                }

                _task.IsIndeterminate = false;
                _task.Value = _task.MaxValue;
                _task.StopTask();
                return;
            }

            var last = detail is null ? _pending : $"{_name}: {detail}";
            if (last is not null && last != _written)
            {
                CliProgress.WriteLine(last);
                _written = last;
            }

            _pending = null;
        }
    }

    public static string Rows(long rows, long? total) =>
        total is { } t ? string.Create(CultureInfo.InvariantCulture, $"{rows:N0} / {t:N0} rows") : string.Create(CultureInfo.InvariantCulture, $"{rows:N0} rows");
}

/// <summary>Calls back on the reporting thread (unlike <see cref="Progress{T}"/>, which posts to the thread pool), so lines stay in order.</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
