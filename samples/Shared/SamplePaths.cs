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
            if (configuration[key] is { Length: > 0 } path && !Path.IsPathRooted(path) && !path.Contains('=', StringComparison.Ordinal) && !path.Contains("://", StringComparison.Ordinal))
            {
                configuration[key] = Path.GetFullPath(Path.Combine(UserDirectory, path));
            }
        }
    }

    /// <summary>
    /// Runs the host; bad settings, and an address another process listens on, stop it with one line per problem on
    /// standard error and exit code 2, not a stack trace.
    /// </summary>
    /// <param name="urls">The addresses the host will listen on (its <c>urls</c> setting), checked before it starts.</param>
    /// <param name="run">Starts the host and waits for it to stop.</param>
    public static int Run(string? urls, Action run)
    {
        if (AddressInUse(urls ?? "http://localhost:5000") is { } taken)
        {
            Console.Error.WriteLine($"recsys sample: {taken} is in use by another process; stop it, or listen elsewhere with --urls (for example --urls http://127.0.0.1:5050).");
            return 2;
        }

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
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // Taken between the check above and Kestrel's bind.
            Console.Error.WriteLine($"recsys sample: {e.Message} Stop what listens there, or listen elsewhere with --urls.");
            return 2;
        }
    }

    /// <summary>
    /// The one line to print (then exit with code 2) for an option the sample does not know: a typo such as
    /// <c>--dat</c> would otherwise be ignored and the host start on other data. Known: the sample's own switches, the
    /// host's (<c>--urls</c>, <c>--environment</c>, <c>--contentRoot</c>, <c>--applicationName</c>) and configuration
    /// keys (<c>--Section:Key=value</c>, and <c>--Section=</c> with no value, as test hosts pass them).
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="switches">The sample's own switches.</param>
    /// <returns>The problem, or <see langword="null"/> when every option is known.</returns>
    public static string? UnknownOption(string[] args, IEnumerable<string> switches)
    {
        string[] host = ["--urls", "--environment", "--contentRoot", "--applicationName", "--http_ports", "--https_ports"];
        var known = switches.Concat(host).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var arg in args)
        {
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = arg.Split('=', 2);
            var name = parts[0];
            var section = parts.Length == 2 && parts[1].Length == 0;
            if (!known.Contains(name) && !name.Contains(':', StringComparison.Ordinal) && !section)
            {
                return $"recsys sample: unknown option '{name}'; the options are {string.Join(", ", known.Order(StringComparer.Ordinal))}, and configuration keys as --Section:Key=value.";
            }
        }

        return null;
    }

    // The first of the addresses that another process listens on, probed as Kestrel binds (address reuse on, so a
    // port in TIME_WAIT is free).
    private static string? AddressInUse(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Port <= 0)
            {
                continue;
            }

            var address = uri.Host == "localhost" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : null;
            if (address is null)
            {
                continue;
            }

            using var probe = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            probe.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
            try
            {
                probe.Bind(new System.Net.IPEndPoint(address, uri.Port));
            }
            catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
            {
                return url;
            }
        }

        return null;
    }
}
