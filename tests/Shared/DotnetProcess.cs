using System.Diagnostics;

namespace Recsys.Tests.Shared;

/// <summary>Runs a built .NET app as a child process, as its users run it.</summary>
internal static class DotnetProcess
{
    /// <summary>Runs <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c> to its end.</summary>
    /// <returns>The exit code and everything it wrote to standard output and standard error.</returns>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(string assembly, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [assembly, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
