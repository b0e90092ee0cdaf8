using FsCheck.Xunit;

namespace Recsys.Registry.Tests;

/// <summary>Random sequences of register / transition / alias / rollback operations keep the registry's invariants.</summary>
public sealed class RegistryPropertyTests
{
    private static readonly string[] AliasNames = ["champion", "challenger"];

    [Property(MaxTest = 40)]
    public bool RandomOperations_KeepInvariants(byte[] operations)
    {
        var ct = CancellationToken.None;
        using var owner = (IDisposable)ModelRegistries.CreateInMemory();
        var registry = (IModelRegistry)owner;
        var registered = 0;
        foreach (var op in operations.Take(40))
        {
            var version = registered == 0 ? 1 : 1 + ((op >> 3) % registered);
            var stage = (ModelStage)((op >> 1) % 4);
            var alias = AliasNames[op & 1];
            try
            {
                switch (op % 7)
                {
                    case 0:
                    case 1:
                        registry.RegisterVersionAsync("m", new NewModelVersion { Trainer = "t", Metrics = new Dictionary<string, double> { ["rmse"] = op / 255.0 } }, new[] { op, (byte)registered }, ct).GetAwaiter().GetResult();
                        registered++;
                        break;
                    case 2:
                        registry.TransitionStageAsync("m", version, stage, archiveExisting: stage == ModelStage.Production, "p", null, ct).GetAwaiter().GetResult();
                        break;
                    case 3:
                        registry.SetAliasAsync("m", alias, version, "p", null, ct).GetAwaiter().GetResult();
                        break;
                    case 4:
                        registry.DeleteAliasAsync("m", alias, "p", null, ct).GetAwaiter().GetResult();
                        break;
                    case 5:
                        registry.RollbackStageAsync("m", stage, "p", null, ct).GetAwaiter().GetResult();
                        break;
                    default:
                        registry.RollbackAliasAsync("m", alias, "p", null, ct).GetAwaiter().GetResult();
                        break;
                }
            }
            catch (RegistryException)
            {
                // Refused operations (unknown model or alias, nothing to roll back) must leave the state unchanged,
                // which the replay check below would catch.
            }

            if (!Invariants(registry, registered))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Invariants(IModelRegistry registry, int registered)
    {
        var ct = CancellationToken.None;
        if (registered == 0)
        {
            return true;
        }

        var versions = registry.ListVersionsAsync("m", ct).GetAwaiter().GetResult();
        var history = registry.GetHistoryAsync("m", ct).GetAwaiter().GetResult();

        // Replaying the history gives every version's stage and every alias's target.
        var stages = new Dictionary<int, ModelStage>();
        var aliases = new Dictionary<string, int>();
        foreach (var change in history)
        {
            switch (change.Kind)
            {
                case RegistryChangeKind.VersionRegistered:
                    stages[change.Version] = ModelStage.None;
                    break;
                case RegistryChangeKind.StageChanged or RegistryChangeKind.StageRolledBack:
                    stages[change.Version] = change.ToStage!.Value;
                    break;
                case RegistryChangeKind.AliasSet or RegistryChangeKind.AliasRolledBack:
                    aliases[change.Alias!] = change.Version;
                    break;
                case RegistryChangeKind.AliasDeleted:
                    aliases.Remove(change.Alias!);
                    break;
            }
        }

        if (versions.Count != registered || versions.Any(v => !stages.TryGetValue(v.Version, out var s) || s != v.Stage))
        {
            return false;
        }

        foreach (var name in AliasNames)
        {
            var resolved = registry.GetByAliasAsync("m", name, ct).GetAwaiter().GetResult();
            if (resolved?.Version != (aliases.TryGetValue(name, out var v) ? v : (int?)null))
            {
                return false;
            }
        }

        // Production transitions archive the others: at most one version is in Production, and it resolves.
        var production = versions.Where(v => v.Stage == ModelStage.Production).ToList();
        var byStage = registry.GetByStageAsync("m", ModelStage.Production, ct).GetAwaiter().GetResult();
        if (production.Count > 1 || byStage?.Version != production.SingleOrDefault()?.Version)
        {
            return false;
        }

        // Every resolved stage holds one version of that stage; every Ready artifact verifies.
        foreach (var stage in Enum.GetValues<ModelStage>())
        {
            var resolvedStage = registry.GetByStageAsync("m", stage, ct).GetAwaiter().GetResult();
            if (resolvedStage is not null && resolvedStage.Stage != stage)
            {
                return false;
            }
        }

        return versions.All(v => v.Status == ModelVersionStatus.Ready
            && registry.ReadArtifactAsync("m", v.Version, ct).GetAwaiter().GetResult().Length == 2);
    }
}
