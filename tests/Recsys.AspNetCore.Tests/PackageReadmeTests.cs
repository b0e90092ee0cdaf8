using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Recsys.AspNetCore.Tests;

/// <summary>Every package README's C# snippet compiles against the packages (what a NuGet user reads first).</summary>
public sealed partial class PackageReadmeTests
{
    public static TheoryData<string> Packages() => [.. Directory.GetDirectories(Path.Combine(RepositoryRoot(), "src"))
        .Where(d => File.Exists(Path.Combine(d, "README.md")) && File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
        .Select(d => Path.GetFileName(d)!)
        .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Packages))]
    public void Snippet_Compiles(string package)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", package, "README.md"));
        var snippets = CSharpBlock().Matches(readme).Select(m => m.Groups["code"].Value).ToList();
        if (package == "Recsys.Abstractions")
        {
            Assert.Empty(snippets); // contracts only: nothing to run
            return;
        }

        Assert.True(snippets.Count > 0, $"src/{package}/README.md has no ```csharp snippet");
        foreach (var code in snippets)
        {
            var errors = Compile($"Readme_{package.Replace('.', '_')}", code);
            Assert.True(errors.Count == 0, $"src/{package}/README.md:\n{string.Join("\n", errors)}\n--- snippet ---\n{code}");
        }
    }

    [Fact]
    public void RootReadme_HasTheThreeSnippets_AndEachCompiles()
    {
        // The web host, the in-process service and the worker: what a newcomer copies first.
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var snippets = CSharpBlock().Matches(readme).Select(m => m.Groups["code"].Value).ToList();

        Assert.Equal(3, snippets.Count);
        foreach (var code in snippets)
        {
            var errors = Compile("Readme_root", code);
            Assert.True(errors.Count == 0, $"README.md:\n{string.Join("\n", errors)}\n--- snippet ---\n{code}");
        }
    }

    private static List<Diagnostic> Compile(string assembly, string code)
    {
        // A program as a user would paste it: top-level statements, implicit usings of a web or console project.
        var tree = CSharpSyntaxTree.ParseText(ImplicitUsings + code, new CSharpParseOptions(LanguageVersion.Preview));
        var compilation = CSharpCompilation.Create(
            assembly,
            [tree],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return [.. compilation.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error)];
    }

    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;

        """;

    /// <summary>The runtime's and ASP.NET Core's assemblies, and every assembly beside the tests (the Recsys packages and their dependencies).</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileName(p).StartsWith("Recsys.AspNetCore.Tests", StringComparison.Ordinal))
            .DistinctBy(Path.GetFileName)
            .Select(p => MetadataReference.CreateFromFile(p))]);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recsys.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Recsys.sln was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
