using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Recsys.Cli;

/// <summary>
/// Progress of long CLI work on standard error: on a terminal, Spectre.Console bars redrawn in place (rows, epochs
/// with the loss, steps) with the elapsed and the remaining time, each row cut to the terminal's width (a wrapped row
/// leaves stale text behind when it is redrawn); when standard error is redirected, TERM is dumb or --json is given,
/// plain lines with the share done and the time left, at most one a second per bar plus the last. Standard output
/// keeps only the command's result either way.
/// </summary>
internal sealed class CliProgress
{
    private static IAnsiConsole? _live;
    private readonly ProgressContext? _context;
    private readonly int _descriptionWidth;

    private CliProgress(ProgressContext? context, int descriptionWidth = int.MaxValue)
    {
        _context = context;
        _descriptionWidth = descriptionWidth;
    }

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
            // Every row fits the terminal: the bar narrows on a narrow terminal and the description is cut to what is
            // left after the fixed columns (percentage 4, elapsed 8, remaining 8, spinner 1, a space between columns).
            var width = console.Profile.Width;
            var bar = Math.Clamp(width / 5, 10, 40);
            var description = Math.Max(16, width - bar - 4 - 8 - 8 - 1 - 6);
            return await console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = bar }, new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(context => work(new CliProgress(context, description)));
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
        private readonly int _width;
        private long _firstReport = long.MinValue;
        private double _firstValue;
        private long _lastLine = long.MinValue;
        private string? _pending;
        private string? _written;

        public Bar(CliProgress owner, string name, double? total)
        {
            _name = name;
            _total = total;
            _width = owner._descriptionWidth;
            if (owner._context is { } context)
            {
                _task = context.AddTask(Markup.Escape(ProgressText.Fit(name, _width)), maxValue: total ?? 100);
                _task.IsIndeterminate = total is null;
            }
        }

        /// <summary>Moves the bar to <paramref name="value"/>, with a detail such as the loss.</summary>
        public void Report(double value, string detail)
        {
            if (_task is not null)
            {
                _task.Value = _total is null ? 0 : Math.Min(value, _total.Value);
                _task.Description = Markup.Escape(ProgressText.Fit($"{_name}  {detail}", _width));
                return;
            }

            // Plain lines: at most one a second, with the share done and the time left at the rate since the first
            // report (the work before it, such as reading the data, is not this bar's); the pending one is written by Done.
            if (_firstReport == long.MinValue)
            {
                (_firstReport, _firstValue) = (Stopwatch.GetTimestamp(), value);
            }

            var line = _total is { } total && ProgressText.Remaining(Stopwatch.GetElapsedTime(_firstReport), value - _firstValue, total - value) is { } left
                ? string.Create(CultureInfo.InvariantCulture, $"{_name}: {detail} ({100 * value / total:0}% done, {left} left)")
                : $"{_name}: {detail}";
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
                    _task.Description = Markup.Escape(ProgressText.Fit($"{_name}  {detail}", _width));
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
