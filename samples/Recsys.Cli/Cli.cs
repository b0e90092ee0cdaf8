using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Recsys.Cli;

/// <summary>
/// Runs the command line: every error is one line on standard error naming the option or file and what is wrong, in
/// user terms; exit code 2 for a usage error (bad option, value or input path), 1 for a failure while working (bad
/// data, I/O, database), 0 for success. No exception reaches the user as a stack trace.
/// </summary>
internal static partial class Cli
{
    public const int Failure = 1;
    public const int Usage = 2;

    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        var name = string.Join(' ', Path(parsed.CommandResult).Prepend("recsys"));
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"{name}: {Clean(error.Message)}");
            }

            Console.Error.WriteLine($"Run '{name} --help' for its options.");
            return Usage;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var inner = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e;
            var message = inner is UnauthorizedAccessException ? Clean(inner.Message) + " (no permission, or the path is a directory)" : Clean(inner.Message);
            Console.Error.WriteLine($"{name}: {message}");
            return IsUsage(inner) ? Usage : Failure;
        }
    }

    /// <summary>Checks, before any work, that an output file can be written where the user asked.</summary>
    public static void RequireWritableDirectory(string option, FileInfo file)
    {
        if (Directory.Exists(file.FullName))
        {
            throw new UsageException($"{option} '{file.FullName}' is a directory; give a file name.");
        }

        if (file.Directory is { Exists: false } directory)
        {
            throw new UsageException($"{option} '{file.FullName}': the directory '{directory.FullName}' does not exist.");
        }
    }

    /// <summary>A size in bytes: a number with an optional unit, B, KiB, MiB, GiB, TiB (powers of 1,024) or KB, MB, GB, TB (of 1,000).</summary>
    public static long ParseBytes(string option, string text)
    {
        var trimmed = text.Trim();
        var split = 0;
        while (split < trimmed.Length && (char.IsAsciiDigit(trimmed[split]) || trimmed[split] == '.'))
        {
            split++;
        }

        var unit = trimmed[split..].Trim();
        long? scale = unit.ToUpperInvariant() switch
        {
            "" or "B" => 1L,
            "KIB" => 1L << 10,
            "MIB" => 1L << 20,
            "GIB" => 1L << 30,
            "TIB" => 1L << 40,
            "KB" => 1_000L,
            "MB" => 1_000_000L,
            "GB" => 1_000_000_000L,
            "TB" => 1_000_000_000_000L,
            _ => null,
        };
        if (scale is null || !double.TryParse(trimmed[..split], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) || number <= 0 || number * scale.Value >= long.MaxValue)
        {
            throw new UsageException($"{option} '{text}' is not a size: give a positive number with a unit, such as 4GiB, 512MiB or 8GB.");
        }

        return (long)(number * scale.Value);
    }

    /// <summary>A message in user terms: no type names, no "(Parameter 'x')", options named as they are typed.</summary>
    internal static string Clean(string message)
    {
        message = ParameterSuffix().Replace(message, "");
        message = ExpectedType().Replace(message, m => "as " + TypeInUserTerms(m.Groups["type"].Value));
        message = OptionsMember().Replace(message, m => "--" + OptionOf(m.Groups["member"].Value));
        message = MemberPrefix().Replace(message, "$1"); // "Rank: The field --rank must …" → "--rank must …"
        return message.ReplaceLineEndings(" ").Trim();
    }

    /// <summary>The subcommand path below the root, for example <c>registry list</c>.</summary>
    private static IEnumerable<string> Path(System.CommandLine.Parsing.CommandResult command)
    {
        var names = new Stack<string>();
        for (var current = command; current.Parent is System.CommandLine.Parsing.CommandResult parent; current = parent)
        {
            names.Push(current.Command.Name);
        }

        return names;
    }

    // Bad data (an InteractionDataException is a FormatException) is a failure while working, not a usage error.
    private static bool IsUsage(Exception e) =>
        e is UsageException or ArgumentException or ValidationException or OptionsValidationException or OverflowException
            or (FormatException and not Recsys.Data.InteractionDataException);

    private static string TypeInUserTerms(string type) => type switch
    {
        _ when type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) => "a whole number",
        _ when type.Contains("UInt", StringComparison.Ordinal) => "a whole number of 0 or more",
        _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ => "the expected kind of value",
    };

    /// <summary>The command-line option that sets an options member: the trainers' own names for what --epochs, --reg and --lr set, else the member in kebab case.</summary>
    private static string OptionOf(string member) => member switch
    {
        "Iterations" or "MaxIterations" or "PowerIterations" => "epochs",
        "Regularization" or "UserRegularization" or "ItemRegularization" => "reg",
        "LearningRate" => "lr",
        _ => KebabBoundary().Replace(member, "$1-$2").ToLowerInvariant(),
    };

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();

    [GeneratedRegex(@"as expected type '(?<type>[^']+)'")]
    private static partial Regex ExpectedType();

    [GeneratedRegex(@"\b[A-Z]\w*Options\.(?<member>[A-Z]\w*)")]
    private static partial Regex OptionsMember();

    [GeneratedRegex(@"\b[A-Z]\w*: The field (--[a-z-]+)")]
    private static partial Regex MemberPrefix();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex KebabBoundary();
}
