using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Recsys.Samples;

/// <summary>
/// What the sample hosts share about paths and start-up errors. `dotnet run --project samples/…` starts the process in
/// the project's folder, so a relative path is resolved against the directory the user ran the command from (the
/// shell's <c>PWD</c>), else the current directory; the absolute path is what the host uses and reports.
/// </summary>
internal static class SamplePaths
{
    /// <summary>Gets the directory the user ran the command from.</summary>
    public static string UserDirectory { get; } =
        Environment.GetEnvironmentVariable("PWD") is { Length: > 0 } pwd && Directory.Exists(pwd) ? pwd : Environment.CurrentDirectory;

    /// <summary>Rewrites relative paths among <paramref name="keys"/> to absolute ones against <see cref="UserDirectory"/>.</summary>
    public static void ResolveAgainstUserDirectory(IConfiguration configuration, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (configuration[key] is { Length: > 0 } path && !Path.IsPathRooted(path) && !path.Contains('=', StringComparison.Ordinal))
            {
                configuration[key] = Path.GetFullPath(Path.Combine(UserDirectory, path));
            }
        }
    }

    /// <summary>Runs the host; bad settings stop it with one line per problem on standard error and exit code 2, not a stack trace.</summary>
    public static int Run(Action run)
    {
        try
        {
            run();
            return 0;
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
            {
                Console.Error.WriteLine($"recsys sample: {failure}");
            }

            return 2;
        }
    }
}
