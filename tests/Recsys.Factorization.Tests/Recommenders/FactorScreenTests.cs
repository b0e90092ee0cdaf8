using FsCheck.Xunit;
using Recsys.Data;

namespace Recsys.Factorization.Tests.Recommenders;

/// <summary>
/// The bfloat16 screen of top-N (<see cref="FactorScreen"/>) must return exactly what scoring every item returns: the
/// same items, the same score bits, the same order, under every filter.
/// </summary>
public sealed class FactorScreenTests
{
    [Property(MaxTest = 60)]
    public bool Recommend_Screened_EqualsFullPass(int seed, byte rankChoice, ushort extraItems, byte count, bool biases, bool ties, byte filterChoice)
    {
        var rank = 16 * (1 + (rankChoice % 4));
        var items = FactorScreen.MinItems + (extraItems % 1500);
        var model = Model(seed, rank, items, biases, ties);
        if (!FactorScreen.Supported(rank, items))
        {
            return true; // no Vector256 here: the screen never runs
        }

        var filter = (filterChoice % 5) switch
        {
            0 => RecommendationFilter.Default,
            1 => RecommendationFilter.None,
            2 => new RecommendationFilter { ExcludedItems = Enumerable.Range(0, items).Where(i => i % 3 == 0).ToHashSet() },
            3 => new RecommendationFilter { ItemPredicate = static i => i % 7 != 2 },
            _ => new RecommendationFilter { AllowedItems = Enumerable.Range(0, 5).Select(i => i * 97).ToHashSet() },
        };
        var n = 1 + (count % 60);
        for (var user = 0; user < model.Users.Count; user++)
        {
            var screened = new ScoredItem[n];
            var written = model.Recommend(user, screened, filter);
            var expected = FullPass(model, user, n, filter);
            if (!screened.AsSpan(0, written).SequenceEqual(expected))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The bound the screen relies on: no approximate score is further than δ from the exact one.</summary>
    [Property(MaxTest = 40)]
    public bool Scores_WithinTheBoundOfExact(int seed, byte rankChoice, bool biases, byte scale, bool int8)
    {
        var precision = int8 ? ScreenPrecision.Int8 : ScreenPrecision.BFloat16;
        var rank = 16 * (1 + (rankChoice % 4));
        var items = FactorScreen.MinItems + 37;
        var random = new Random(seed);
        var magnitude = Math.Pow(10, (scale % 7) - 3);
        float[] Values(int length) => Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * magnitude)).ToArray();
        var factors = Values(items * rank);
        var bias = biases ? Values(items) : [];
        var user = Values(rank);
        var offset = biases ? (float)magnitude : 0f;
        if (FactorScreen.Create(factors, rank, items, bias, precision) is not { } screen)
        {
            return !FactorScreen.Supported(rank, items) || (int8 && !Int8Screen.Supported(rank));
        }

        var approximate = new float[items];
        var exact = new float[items];
        var delta = screen.Scores(user, bias, offset, approximate);
        ScoreKernel.Scores(factors, rank, user, bias, offset, exact);
        return delta > 0 && approximate.Zip(exact).All(x => Math.Abs(x.First - x.Second) <= delta);
    }

    [Theory]
    [InlineData(16)] // bfloat16 copy
    [InlineData(32)] // int8 copy where the CPU has AVX-VNNI
    public void Recommend_ManyEqualScores_SameOrderAsFullPass(int rank)
    {
        // Integer factors: many exact ties, which the order must break by item index as the full pass does.
        var model = Model(seed: 3, rank: rank, items: 3000, biases: false, ties: true);
        Assert.True(FactorScreen.Supported(rank, 3000) || !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated);
        for (var user = 0; user < model.Users.Count; user++)
        {
            var screened = new ScoredItem[25];
            var written = model.Recommend(user, screened);
            Assert.Equal(FullPass(model, user, 25, RecommendationFilter.Default), screened[..written]);
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    public void Recommend_ZeroUserAndZeroRows_EqualsFullPass(int rank)
    {
        // A zero row or user vector has scale 0: its codes are all 0 and its approximate scores exactly the biases.
        var model = Model(seed: 11, rank: rank, items: 2500, biases: true, ties: false, zeroRows: true);
        for (var user = 0; user < model.Users.Count; user++)
        {
            var screened = new ScoredItem[20];
            var written = model.Recommend(user, screened);
            Assert.Equal(FullPass(model, user, 20, RecommendationFilter.Default), screened[..written]);
        }
    }

    [Fact]
    public void Create_Default_Int8WhereTheCpuHasVnni()
    {
        var factors = Enumerable.Range(0, 64 * FactorScreen.MinItems).Select(i => (float)Math.Sin(i)).ToArray();
        var screen = FactorScreen.Create(factors, 64, FactorScreen.MinItems, []);
        if (!FactorScreen.Supported(64, FactorScreen.MinItems))
        {
            Assert.Null(screen);
            return;
        }

        Assert.IsType(System.Runtime.Intrinsics.X86.AvxVnni.IsSupported ? typeof(Int8Screen) : typeof(BFloat16Screen), screen);
        Assert.IsType<BFloat16Screen>(FactorScreen.Create(factors, 64, FactorScreen.MinItems, [], ScreenPrecision.BFloat16));
        Assert.IsType<BFloat16Screen>(FactorScreen.Create(factors.AsSpan(0, 48 * FactorScreen.MinItems), 48, FactorScreen.MinItems, []));
    }

    /// <summary>The screen pays only when few items fall in the band it rescores: for a factor model's typical spread, far below the 1/16 where it gives up.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Threshold_RandomFactors_FewCandidates(bool int8)
    {
        const int Rank = 64, Items = 8192;
        var random = new Random(5);
        float[] Values(int length) => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var factors = Values(Items * Rank);
        var bias = Values(Items);
        var screen = FactorScreen.Create(factors, Rank, Items, bias, int8 ? ScreenPrecision.Int8 : ScreenPrecision.BFloat16);
        if (screen is null)
        {
            Assert.True(!FactorScreen.Supported(Rank, Items) || (int8 && !Int8Screen.Supported(Rank)));
            return;
        }

        for (var user = 0; user < 20; user++)
        {
            var scores = new float[Items];
            var delta = screen.Scores(Values(Rank), bias, 3.5f, scores);
            var top = new ScoredItem[10];
            TopN.Select(scores, top, RecommendationFilter.None);
            var count = FactorScreen.Candidates(scores, FactorScreen.Threshold(top[^1].Score, delta), new int[Items / 64]);
            Assert.InRange(count, 10, Items / 64);
        }
    }

    [Fact]
    public void Scores_Int8_FactorsTooSmallForFloat_NoBound()
    {
        // t·s_i would be subnormal (1e-20 · 1e-20 / 127²): the rounding bound would not hold, so the request gets no screen.
        var factors = Enumerable.Range(0, 32 * FactorScreen.MinItems).Select(i => 1e-20f * (float)Math.Sin(i)).ToArray();
        if (FactorScreen.Create(factors, 32, FactorScreen.MinItems, [], ScreenPrecision.Int8) is not { } screen)
        {
            Assert.False(FactorScreen.Supported(32, FactorScreen.MinItems) && Int8Screen.Supported(32));
            return;
        }

        var scores = new float[FactorScreen.MinItems];
        Assert.Equal(double.PositiveInfinity, screen.Scores(factors.AsSpan(0, 32), [], 0f, scores));
        Assert.True(double.IsFinite(screen.Scores(Enumerable.Repeat(0.5f, 32).ToArray(), [], 0f, scores)));
    }

    [Fact]
    public void Candidates_InOrder_AndMinusOneWhenMoreThanTheSpanHolds()
    {
        var scores = Enumerable.Range(0, 37).Select(i => i % 3 == 0 ? 1f : i % 5 == 0 ? float.NaN : 0f).ToArray();
        var expected = Enumerable.Range(0, 37).Where(i => i % 3 == 0).ToArray();
        var room = new int[expected.Length];
        Assert.Equal(expected.Length, FactorScreen.Candidates(scores, 0.5f, room));
        Assert.Equal(expected, room);
        Assert.Equal(-1, FactorScreen.Candidates(scores, 0.5f, new int[expected.Length - 1]));
        Assert.Equal(-1, FactorScreen.Candidates(scores, 0.5f, new int[2])); // overflows inside the first vector
        Assert.Equal(0, FactorScreen.Candidates(scores, 2f, []));
    }

    [Fact]
    public void Recommend_Screened_AllocatesNothingOnceWarm()
    {
        var model = Model(seed: 2, rank: 64, items: 4096, biases: true, ties: false);
        var destination = new ScoredItem[10];
        for (var user = 0; user < model.Users.Count; user++)
        {
            model.Recommend(user, destination); // the pools' first rents
        }

        var written = new int[model.Users.Count];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var user = 0; user < model.Users.Count; user++)
        {
            written[user] = model.Recommend(user, destination);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.All(written, n => Assert.Equal(10, n));
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Create_NonFiniteFactor_NoScreen()
    {
        var factors = Enumerable.Repeat(0.5f, 16 * FactorScreen.MinItems).ToArray();
        factors[123] = float.NaN;
        Assert.Null(FactorScreen.Create(factors, 16, FactorScreen.MinItems, []));
        factors[123] = float.PositiveInfinity;
        Assert.Null(FactorScreen.Create(factors, 16, FactorScreen.MinItems, []));
    }

    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(-2f, 0xC000)]
    [InlineData(0f, 0x0000)]
    [InlineData(1.00390625f, 0x3F80)] // exactly halfway between 0x3F80 and 0x3F81: ties to even
    [InlineData(1.01171875f, 0x3F82)] // halfway between 0x3F81 and 0x3F82: ties to even
    [InlineData(1.0040f, 0x3F81)]     // above halfway: up
    public void ToBFloat16_RoundsToNearestEven(float value, int expected) =>
        Assert.Equal((ushort)expected, BFloat16Screen.ToBFloat16(value));

    private static ScoredItem[] FullPass(FactorModel model, int user, int n, RecommendationFilter filter)
    {
        var scores = new float[model.Items.Count];
        model.ScoreAll(user, scores);
        if (filter.ExcludeSeen)
        {
            foreach (var seen in model.Training.Seen(user))
            {
                scores[seen] = float.NaN;
            }
        }

        var destination = new ScoredItem[n];
        var written = TopN.Select(scores, destination, filter);
        return destination[..written];
    }

    private static FactorModel Model(int seed, int rank, int items, bool biases, bool ties, bool zeroRows = false)
    {
        const int Users = 12;
        var random = new Random(seed);
        var userIds = IdMap.Create(Enumerable.Range(0, Users).Select(u => $"u{u}"));
        var itemIds = IdMap.Create(Enumerable.Range(0, items).Select(i => $"i{i}"));
        var offsets = Enumerable.Range(0, Users + 1).Select(u => u * 30).ToArray();
        var seen = new int[Users * 30];
        for (var u = 0; u < Users; u++)
        {
            var row = Enumerable.Range(0, items).OrderBy(_ => random.Next()).Take(30).Order().ToArray();
            row.CopyTo(seen, u * 30);
        }

        float Next() => ties ? random.Next(-2, 3) : (float)((random.NextDouble() - 0.5) * 0.6);
        float[] Values(int length) => Enumerable.Range(0, length).Select(_ => Next()).ToArray();
        var userFactors = Values(Users * rank);
        var itemFactors = Values(items * rank);
        if (zeroRows)
        {
            userFactors.AsSpan(0, rank).Clear();
            for (var i = 0; i < items; i += 5)
            {
                itemFactors.AsSpan(i * rank, rank).Clear();
            }
        }

        return new FactorModel("test", "{}", new TrainingFootprint(userIds, itemIds, offsets, seen, 0f, 1f, 0.5), new FactorModelParts
        {
            Global = biases ? 0.25 : 0,
            UserBias = biases ? Values(Users) : null,
            ItemBias = biases ? Values(items) : null,
            Rank = rank,
            UserFactors = userFactors,
            ItemFactors = itemFactors,
            ColdScores = Values(items),
        });
    }
}
