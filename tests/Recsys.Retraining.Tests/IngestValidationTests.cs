using Recsys.Data;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Retraining.Tests;

/// <summary>Stored interactions are checked when a run reads them, as a file's rows are: never trained on when off the scale.</summary>
public sealed class IngestValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IInteractionSource Base => InteractionSources.FromDelegate("small synthetic", _ => Task.FromResult(Workspace.SmallData));

    [Theory]
    [InlineData(1e10f)]
    [InlineData(-3f)]
    public async Task Run_StoredRatingOffTheBaseDataScale_FailsOnceNamingTheRowAndRegistersNothing(float rating)
    {
        using var workspace = Workspace.Sqlite();
        await workspace.Interactions.AppendAsync([new Interaction("u1", "i1", 4f, 10), new Interaction("u2", "i2", rating, 11)], Ct);
        var service = workspace.Service(InteractionSources.Store(workspace.Interactions, Base));

        var run = await service.RunAsync("manual", Ct);

        Assert.Equal(RunState.Failed, run.State);
        var load = Assert.Single(run.Steps, s => s.Name == "load");
        Assert.Equal(1, load.Attempts); // a data error is deterministic: no retries
        Assert.Contains("interaction store, row 2 (user 'u2', item 'i2')", run.Error, StringComparison.Ordinal);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the rating {rating} is outside the scale {Workspace.SmallData.MinValue} to {Workspace.SmallData.MaxValue}"), run.Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RegistryEntryNotFoundException>(() => workspace.Registry.ListVersionsAsync("movies", Ct));
    }

    [Fact]
    public async Task Load_SkipPolicy_LeavesTheBadRowsOutAndCountsThem()
    {
        using var workspace = Workspace.Sqlite();
        await workspace.Interactions.AppendAsync(
            [new Interaction("u1", "i1", 4f, 10), new Interaction("u2", "i2", 1e10f, 11), new Interaction("u3", "i3", -3f, 12), new Interaction("u4", "i4", 5.5f, 13)],
            Ct);
        var source = InteractionSources.Store(workspace.Interactions, scale: RatingScale.MovieLens, badRows: BadRowPolicy.Skip);

        var data = await source.LoadAsync(Ct);

        Assert.Equal(1, data.Count);
        Assert.Equal(("u1", "i1", 4f), (data.Users[0], data.Items[0], data.MinValue));
        Assert.Equal(4f, data.MaxValue); // 1e10 was never added
        Assert.Equal("interaction store (3 bad stored rows skipped, the first: row 2 (user 'u2', item 'i2'): the rating 1E+10 is outside the scale 0.5 to 5)", source.Description);
    }

    [Fact]
    public async Task Load_ConfiguredScale_OverridesTheBaseDataScale()
    {
        using var workspace = Workspace.Sqlite();
        await workspace.Interactions.AppendAsync([new Interaction("u1", "i1", 9f, 10)], Ct);

        var wide = await InteractionSources.Store(workspace.Interactions, Base, new RatingScale(0, 10)).LoadAsync(Ct);
        var error = await Assert.ThrowsAsync<InteractionDataException>(() => InteractionSources.Store(workspace.Interactions, Base).LoadAsync(Ct));

        Assert.Equal(9f, wide.MaxValue);
        Assert.Contains("(the base data's scale; set the rating scale to accept others)", error.Message, StringComparison.Ordinal);
    }
}
