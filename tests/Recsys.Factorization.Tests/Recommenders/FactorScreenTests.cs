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
    public bool Recommend_Screened_EqualsFullPass(int seed, byte rankChoice, ushort extraItems, byte count, bool biases, bool ties, byte filterChoice, bool skewed)
    {
        var rank = 16 * (1 + (rankChoice % 4));
        var items = FactorScreen.MinItems + (extraItems % 1500);
        var model = Model(seed, rank, items, biases, ties, skewed: skewed);
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
        var delta = screen.Scores(user, offset, approximate, 0, items);
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
    public void Create_EvenNorms_KeepTheItemsOrder_SkewedNormsSortThem()
    {
        var even = Model(seed: 2, rank: 32, items: 3000, biases: false, ties: false);
        var skewed = Model(seed: 2, rank: 32, items: 3000, biases: false, ties: false, skewed: true);
        if (!FactorScreen.Supported(32, 3000))
        {
            return;
        }

        Assert.False(FactorScreen.Create(even.Parts.ItemFactors, 32, 3000, [])!.Ordered);
        Assert.True(FactorScreen.Create(skewed.Parts.ItemFactors, 32, 3000, [])!.Ordered);
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
            var delta = screen.Scores(Values(Rank), 3.5f, scores, 0, Items);
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
        Assert.Equal(double.PositiveInfinity, screen.Scores(factors.AsSpan(0, 32), 0f, scores, 0, scores.Length));
        Assert.True(double.IsFinite(screen.Scores(Enumerable.Repeat(0.5f, 32).ToArray(), 0f, scores, 0, scores.Length)));
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

    /// <summary>The reference top N: every item scored by the full pass, training items NaN when excluded, one selection.</summary>
    internal static ScoredItem[] FullPass(FactorModel model, int user, int n, RecommendationFilter filter)
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

    /// <summary>
    /// The early stop on factors whose norms fall steeply (as trained factors' do: most items are rarely chosen): it
    /// stops well before the last row, and no row after the stop scores at or above the threshold it was given.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void End_SkewedNorms_StopsEarly_AndNoLaterRowReachesTheThreshold(bool int8, bool biases)
    {
        var precision = int8 ? ScreenPrecision.Int8 : ScreenPrecision.BFloat16;
        const int Rank = 64;
        var model = Model(seed: 5, rank: Rank, items: 6000, biases: biases, ties: false, skewed: true);
        var p = model.Parts;
        if (FactorScreen.Create(p.ItemFactors, Rank, 6000, p.ItemBias, precision) is not { } screen)
        {
            Assert.False(FactorScreen.Supported(Rank, 6000) && (precision == ScreenPrecision.BFloat16 || Int8Screen.Supported(Rank)));
            return;
        }

        var stops = new List<int>();
        for (var user = 0; user < model.Users.Count; user++)
        {
            var scores = new float[6000];
            var offset = (float)(p.Global + (p.UserBias?[user] ?? 0));
            var delta = screen.Scores(p.UserFactor(user), offset, scores, 0, screen.Rows);
            var top = new ScoredItem[10];
            TopN.Select(scores, top, RecommendationFilter.None);
            var threshold = FactorScreen.Threshold(top[^1].Score, delta);

            var end = screen.End(p.UserFactor(user), offset, delta, threshold, 0);

            stops.Add(end);
            Assert.Equal(0, end % FactorScreen.BlockRows);
            var scanned = Enumerable.Repeat(float.NaN, 6000).ToArray();
            screen.Scores(p.UserFactor(user), offset, scanned.AsSpan(), 0, end);
            Assert.All(Enumerable.Range(0, 6000).Where(i => scores[i] >= threshold), i => Assert.Equal(scores[i], scanned[i]));
        }

        Assert.True(stops.Average() < 6000 / 2, $"the stops were {string.Join(", ", stops)} of 6,000 rows");
    }

    /// <summary>
    /// The tight case of the early stop's bound: an item parallel to the user vector scores exactly ‖u‖·‖q‖, so with
    /// the threshold at its own approximate score only the δ and rounding margins keep the stop from passing over it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void End_AnItemAtItsCauchySchwarzBound_IsNeverPassedOver(bool int8)
    {
        // Ten blocks of rows of norm 1, then the needle (norm 0.5, parallel to the user: the first row of its block, so
        // its block's largest norm is its own), then rows of norm 1/100.
        const int Rank = 64;
        const int Items = 4096;
        const int Needle = 2000;
        var random = new Random(17);
        var user = Enumerable.Range(0, Rank).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var userNorm = MathF.Sqrt(user.Sum(x => x * x));
        var factors = new float[Items * Rank];
        for (var i = 0; i < Items; i++)
        {
            var row = factors.AsSpan(i * Rank, Rank);
            if (i == Needle)
            {
                for (var f = 0; f < Rank; f++)
                {
                    row[f] = 0.5f * user[f] / userNorm;
                }

                continue;
            }

            for (var f = 0; f < Rank; f++)
            {
                row[f] = (float)(random.NextDouble() - 0.5);
            }

            var scale = (i < 10 * FactorScreen.BlockRows ? 1f : 0.01f) / MathF.Sqrt(row.ToArray().Sum(x => x * x));
            foreach (ref var x in row)
            {
                x *= scale;
            }
        }

        if (FactorScreen.Create(factors, Rank, Items, [], int8 ? ScreenPrecision.Int8 : ScreenPrecision.BFloat16) is not { } screen)
        {
            Assert.False(FactorScreen.Supported(Rank, Items) && (!int8 || Int8Screen.Supported(Rank)));
            return;
        }

        var scores = new float[Items];
        var delta = screen.Scores(user, 0f, scores, 0, Items);

        var end = screen.End(user, 0f, delta, scores[Needle], 0);

        var scanned = Enumerable.Repeat(float.NaN, Items).ToArray();
        screen.Scores(user, 0f, scanned, 0, end);
        Assert.Equal(scores[Needle], scanned[Needle]);
        Assert.Equal(11 * FactorScreen.BlockRows, end); // and no further: the rows of norm 1/100 cannot reach it
    }

    /// <summary>
    /// Trained factors (implicit ALS, the sample host's model, on MovieLens latest-small): for every user the screened
    /// top 10 and top 100 are the full pass's, and the early stop leaves most rows unscored for the median user.
    /// </summary>
    [Fact]
    public void Recommend_MovieLensImplicitAls_EqualsFullPass_AndStopsEarly()
    {
        var data = MovieLens.ReadRatings(MovieLensData.File("ratings.csv")).Dataset;
        var model = (FactorModel)RecommenderAlgorithms.Create("als-implicit").Fit(data);
        var p = model.Parts;
        var screen = FactorScreen.Create(p.ItemFactors, p.Rank, model.Items.Count, p.ItemBias);
        Assert.SkipWhen(screen is null, "no screen on this CPU (needs Vector256)");
        Assert.True(screen!.Ordered, "trained factors: the median item norm is under half the largest");
        var stops = new List<int>();
        for (var user = 0; user < model.Users.Count; user++)
        {
            foreach (var n in new[] { 10, 100 })
            {
                var screened = new ScoredItem[n];
                var written = model.Recommend(user, screened);
                Assert.Equal(FullPass(model, user, n, RecommendationFilter.Default), screened[..written]);
            }

            var scores = new float[model.Items.Count];
            var delta = screen.Scores(p.UserFactor(user), 0f, scores, 0, screen.Rows);
            foreach (var seen in model.Training.Seen(user))
            {
                scores[seen] = float.NaN;
            }

            var top = new ScoredItem[10];
            TopN.Select(scores, top, RecommendationFilter.None);
            stops.Add(screen.End(p.UserFactor(user), 0f, delta, FactorScreen.Threshold(top[^1].Score, delta), 0));
        }

        stops.Sort();
        Assert.True(stops[stops.Count / 2] < model.Items.Count / 2, $"median stop {stops[stops.Count / 2]} of {model.Items.Count} rows");
    }

    private static FactorModel Model(int seed, int rank, int items, bool biases, bool ties, bool zeroRows = false, bool skewed = false)
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
        if (skewed)
        {
            // Row norms over several powers of two, most of them small (a power of two keeps integer ties exact).
            for (var i = 0; i < items; i++)
            {
                var scale = MathF.Pow(2, -(int)(8 * Math.Sqrt(random.NextDouble())));
                foreach (ref var x in itemFactors.AsSpan(i * rank, rank))
                {
                    x *= scale;
                }
            }
        }

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
