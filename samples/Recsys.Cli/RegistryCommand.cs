using System.CommandLine;
using System.Globalization;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Cli;

/// <summary><c>recsys registry …</c>: the model registry from the command line.</summary>
internal static class RegistryCommand
{
    public static Command Create()
    {
        var path = new Option<string>("--registry")
        {
            Description = "The registry: a directory (embedded SQLite database and artifacts) or a PostgreSQL connection string (Host=…;Database=…). Default: $RECSYS_REGISTRY, else ./registry.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RECSYS_REGISTRY") is { Length: > 0 } value ? value : "registry",
            Recursive = true,
        };
        var actor = new Option<string>("--actor") { Description = "Who makes the change (recorded in the history).", DefaultValueFactory = _ => Environment.UserName, Recursive = true };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the history).", Recursive = true };
        var model = new Argument<string>("model") { Description = "The model name." };
        var version = new Argument<int>("version") { Description = "The version number." };
        var stage = new Argument<string>("stage") { Description = "None, Staging, Production or Archived." };
        var alias = new Argument<string>("alias") { Description = "The alias (for example champion)." };

        var command = new Command("registry", "Inspect and change the model registry.");
        command.Options.Add(path);
        command.Options.Add(actor);
        command.Options.Add(reason);

        var list = new Command("list", "List the registered models.");
        list.SetAction((r, ct) => Run(r, path, async registry =>
        {
            foreach (var m in await registry.ListModelsAsync(new ModelSearch { Take = int.MaxValue }, ct))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Name}\tupdated {m.UpdatedAt:u}"));
            }
        }));

        var versions = new Command("versions", "List a model's versions, newest first.") { model };
        versions.SetAction((r, ct) => Run(r, path, async registry =>
        {
            foreach (var v in await registry.ListVersionsAsync(r.GetValue(model)!, ct))
            {
                Print(v);
            }
        }));

        var show = new Command("show", "Show one version.") { model, version };
        show.SetAction((r, ct) => Run(r, path, async registry =>
        {
            var v = await registry.GetVersionAsync(r.GetValue(model)!, r.GetValue(version), ct);
            Print(v);
            Console.WriteLine($"  parameters {v.Parameters}");
            Console.WriteLine($"  sha256     {v.ArtifactSha256} ({v.ArtifactSize} bytes)");
            if (v.Lineage is { } l)
            {
                Console.WriteLine($"  lineage    data {l.DataFingerprint}, {l.Rows} rows, {l.Users} users, {l.Items} items, split {l.Split}, Recsys {l.LibraryVersion}");
            }
        }));

        var file = new Option<FileInfo>("--file") { Description = "The model file to register (from 'recsys train').", Required = true };
        var metric = new Option<string[]>("--metric") { Description = "A metric as name=value; repeat for several.", AllowMultipleArgumentsPerToken = true };
        var register = new Command("register", "Register a model file as a new version.") { model, file, metric };
        register.SetAction((r, ct) => Run(r, path, async registry =>
        {
            await using var modelFile = new FileStream(r.GetValue(file)!.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            var package = ModelFile.Read(modelFile);
            modelFile.Position = 0;
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var m in r.GetValue(metric) ?? [])
            {
                var parts = m.Split('=', 2);
                if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw new UsageException($"--metric '{m}' is not name=value.");
                }

                metrics[parts[0]] = value;
            }

            var v = await registry.RegisterVersionAsync(r.GetValue(model)!, new NewModelVersion { Trainer = package.Model.Algorithm, Metrics = metrics, Actor = r.GetValue(actor)! }, modelFile, ct);
            Print(v);
        }));

        var archive = new Option<bool>("--archive-existing") { Description = "Archive the versions already in the stage." };
        var transition = new Command("transition", "Move a version to a stage.") { model, version, stage, archive };
        transition.SetAction((r, ct) => Run(r, path, async registry =>
            Print(await registry.TransitionStageAsync(r.GetValue(model)!, r.GetValue(version), ParseStage(r.GetValue(stage)!), r.GetValue(archive), r.GetValue(actor)!, r.GetValue(reason), ct))));

        var aliasCommand = new Command("alias", "Point an alias at a version.") { model, alias, version };
        aliasCommand.SetAction((r, ct) => Run(r, path, async registry =>
            Print(await registry.SetAliasAsync(r.GetValue(model)!, r.GetValue(alias)!, r.GetValue(version), r.GetValue(actor)!, r.GetValue(reason), ct))));

        var history = new Command("history", "Show a model's audit history.") { model };
        history.SetAction((r, ct) => Run(r, path, async registry =>
        {
            foreach (var h in await registry.GetHistoryAsync(r.GetValue(model)!, ct))
            {
                var what = h.Kind switch
                {
                    RegistryChangeKind.StageChanged or RegistryChangeKind.StageRolledBack => $"v{h.Version} {h.FromStage} -> {h.ToStage}",
                    RegistryChangeKind.AliasSet or RegistryChangeKind.AliasDeleted or RegistryChangeKind.AliasRolledBack => $"{h.Alias}: v{h.PreviousVersion?.ToString(CultureInfo.InvariantCulture) ?? "-"} -> v{h.Version}",
                    _ => $"v{h.Version}",
                };
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"#{h.Sequence,-4} {h.At:u}  {h.Kind,-17} {what,-28} by {h.Actor}{(h.Reason is null ? string.Empty : $" ({h.Reason})")}"));
            }
        }));

        var rollback = new Command("rollback", "Put back the version a stage held before its last change.") { model, stage };
        rollback.SetAction((r, ct) => Run(r, path, async registry =>
            Print(await registry.RollbackStageAsync(r.GetValue(model)!, ParseStage(r.GetValue(stage)!), r.GetValue(actor)!, r.GetValue(reason), ct))));

        var primary = new Option<string>("--metric-name") { Description = "The primary metric (metrics a version's purpose tag says are not meaningful are ignored).", DefaultValueFactory = _ => "ndcg_at_k" };
        var margin = new Option<double>("--min-improvement") { Description = "The smallest improvement over Production that promotes." };
        var promote = new Command("promote", "Apply the promotion policy to a candidate: Production, Staging or Archived.") { model, version, primary, margin };
        promote.SetAction((r, ct) => Run(r, path, async registry =>
        {
            var policy = new PromotionPolicy { PrimaryMetric = r.GetValue(primary)!, MinImprovement = r.GetValue(margin) };
            var decision = await registry.PromoteAsync(r.GetValue(model)!, r.GetValue(version), policy, null, r.GetValue(actor)!, ct);
            Console.WriteLine($"{decision.Outcome}: {decision.Reason}");
        }));

        foreach (var sub in new[] { list, versions, show, register, transition, aliasCommand, history, rollback, promote })
        {
            command.Subcommands.Add(sub);
        }

        return command;
    }

    private static ModelStage ParseStage(string text) =>
        Enum.TryParse<ModelStage>(text, ignoreCase: true, out var stage) && Enum.IsDefined(stage)
            ? stage
            : throw new UsageException($"Unknown stage '{text}'; use None, Staging, Production or Archived.");

    private static void Print(ModelVersion v) =>
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{v.ModelName} v{v.Version}\t{v.Status}\t{v.Stage}\t{v.Trainer}\t{string.Join(' ', v.Metrics.Select(m => $"{m.Key}={m.Value:G5}"))}\t{(v.Aliases.Count == 0 ? string.Empty : "@" + string.Join(",@", v.Aliases))}"));

    private static async Task<int> Run(ParseResult result, Option<string> path, Func<IModelRegistry, Task> action)
    {
        try
        {
            await using var registry = OpenRegistry(result.GetValue(path)!, create: result.CommandResult.Command.Name == "register");
            await action(registry);

            return 0;
        }
        catch (RegistryEntryNotFoundException e)
        {
            Console.Error.WriteLine($"recsys registry: {Cli.Clean(e.Message)}");
            return 3; // documented: the model or version does not exist
        }
    }

    /// <summary>A PostgreSQL connection string (it names a host) or a directory of the embedded registry.</summary>
    internal static IModelRegistry OpenRegistry(string location, bool create)
    {
        RequireRegistry(location, create);
        return IsPostgreSql(location) ? PostgreSqlModelRegistries.Open(location) : ModelRegistries.OpenSqlite(Path.GetFullPath(location));
    }

    /// <summary>Read-only commands never create an empty registry where the user mistyped a path.</summary>
    internal static void RequireRegistry(string location, bool create)
    {
        if (create || IsPostgreSql(location))
        {
            return;
        }

        var directory = Path.GetFullPath(location);
        if (!File.Exists(Path.Combine(directory, "registry.db")))
        {
            throw new UsageException($"--registry '{directory}' holds no registry (no registry.db there); check the path (or create one with 'recsys registry register' or 'recsys retrain').");
        }
    }

    internal static bool IsPostgreSql(string location) =>
        location.Contains("Host=", StringComparison.OrdinalIgnoreCase) || location.Contains("Server=", StringComparison.OrdinalIgnoreCase);
}
