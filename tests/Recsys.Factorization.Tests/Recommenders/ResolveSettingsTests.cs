using Recsys.Evaluation;
using Recsys.Factorization;
using Recsys.Recommenders;

namespace Recsys.Factorization.Tests.Recommenders;

/// <summary>
/// <see cref="RecommenderAlgorithms.Resolve"/> records the values a trainer uses: a version shows "rank=64 epochs=20"
/// rather than "defaults".
/// </summary>
public sealed class ResolveSettingsTests
{
    [Fact]
    public void Resolve_NothingGiven_IsTheAlgorithmsDefaults()
    {
        var defaults = new MatrixFactorizationOptions();
        var resolved = RecommenderAlgorithms.Resolve("biased-mf", null);

        Assert.Equal(defaults.Rank, resolved.Rank);
        Assert.Equal(defaults.Epochs, resolved.Epochs);
        Assert.Equal(defaults.Regularization, resolved.Regularization);
        Assert.Equal(defaults.LearningRate, resolved.LearningRate);
        Assert.Equal(defaults.Seed, resolved.Seed);
        Assert.Null(resolved.Alpha); // biased MF does not read it
    }

    [Fact]
    public void Resolve_AGivenValue_WinsAndTheRestAreDefaults()
    {
        var resolved = RecommenderAlgorithms.Resolve("als-implicit", new AlgorithmSettings { Rank = 128, Alpha = 7 });
        var defaults = new ImplicitAlsOptions();

        Assert.Equal(128, resolved.Rank);
        Assert.Equal(7, resolved.Alpha);
        Assert.Equal(defaults.Iterations, resolved.Epochs);
        Assert.Equal(defaults.Regularization, resolved.Regularization);
    }

    [Fact]
    public void Resolve_EveryAlgorithm_SetsExactlyTheSettingsItReads_AndIsStable()
    {
        foreach (var name in RecommenderAlgorithms.Names)
        {
            var resolved = RecommenderAlgorithms.Resolve(name, null);
            var set = typeof(AlgorithmSettings).GetProperties().Where(p => p.GetValue(resolved) is not null).Select(p => p.Name).ToHashSet();
            var reads = RecommenderAlgorithms.SettingsOf(name).ToHashSet();
            Assert.True(set.IsSubsetOf(reads), $"{name} resolves {string.Join(", ", set.Except(reads))}, which it does not read");
            if (name is not "hybrid")
            {
                // A hybrid passes rank and epochs to its components, each with its own default: they stay unset.
                Assert.True(reads.Except(["Weights"]).All(set.Contains), $"{name} leaves {string.Join(", ", reads.Except(set))} unresolved");
            }

            var again = RecommenderAlgorithms.Resolve(name, resolved);
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(resolved), System.Text.Json.JsonSerializer.Serialize(again));

            // The resolved values train the same trainer: they are valid for it.
            _ = RecommenderAlgorithms.Create(name, resolved, HoldoutValidator.Default);
        }
    }
}
