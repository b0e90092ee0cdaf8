using FsCheck.Xunit;
using Recsys.Data;

namespace Recsys.Factorization.Tests.Recommenders;

public sealed class ModelFileTests
{
    private static readonly ItemMetadata Metadata = new([
        new("1", new ItemAttributes("One, \"the\" first", ["Drama", "Comedy"])),
        new("2", new ItemAttributes("Two", [])),
    ]);

    private static byte[] Save(IRecommender model, ItemMetadata? metadata = null)
    {
        using var stream = new MemoryStream();
        ModelFile.Write(stream, model, metadata);
        return stream.ToArray();
    }

    private static ModelPackage Load(byte[] bytes) => ModelFile.Read(new MemoryStream(bytes));

    public static TheoryData<string> Algorithms() => [.. RecommenderAlgorithms.Names];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void SaveLoad_EveryAlgorithm_IsLossless(string algorithm)
    {
        var data = TestDatasets.Synthetic(11, 25, 35, 12);
        var model = RecommenderAlgorithms.Create(algorithm, new AlgorithmSettings { Epochs = 3, Rank = 4, Components = ["baseline", "biased-mf"] }).Fit(data);

        var bytes = Save(model, Metadata);
        var loaded = Load(bytes);

        Assert.Equal(model.Algorithm, loaded.Model.Algorithm);
        Assert.Equal(model.Users, loaded.Model.Users);
        Assert.Equal(model.Items, loaded.Model.Items);
        for (var u = -1; u < data.Users.Count; u++)
        {
            for (var i = -1; i < data.Items.Count; i++)
            {
                Assert.Equal(model.Predict(u, i), loaded.Model.Predict(u, i));
            }

            var expected = new ScoredItem[10];
            var actual = new ScoredItem[10];
            Assert.Equal(model.Recommend(u, expected), loaded.Model.Recommend(u, actual));
            Assert.Equal(expected, actual);
        }

        Assert.NotNull(loaded.ItemMetadata);
        Assert.True(loaded.ItemMetadata.TryGetAttributes("1", out var one));
        Assert.Equal("One, \"the\" first", one.Title);
        Assert.Equal(["Drama", "Comedy"], one.Genres);
        Assert.Equal(bytes, Save(loaded.Model, loaded.ItemMetadata));
    }

    [Fact]
    public void SaveLoad_WithoutMetadata_LoadsNone()
    {
        var model = new BaselineTrainerFactory().Create();

        Assert.Null(Load(Save(model)).ItemMetadata);
    }

    [Property(MaxTest = 200)]
    public bool Read_AnyTruncation_IsRejected(int cut)
    {
        var bytes = Save(new BaselineTrainerFactory().Create());
        var length = Math.Abs(cut % bytes.Length);
        try
        {
            ModelFile.Read(new MemoryStream(bytes[..length]));
            return false;
        }
        catch (ModelFormatException e)
        {
            return e.Message.Contains("truncated", StringComparison.Ordinal) || e.Message.Contains("not a Recsys model file", StringComparison.Ordinal);
        }
    }

    [Property(MaxTest = 300)]
    public bool Read_AnyBitFlip_IsRejected(int position, byte bit)
    {
        var bytes = Save(new BaselineTrainerFactory().Create());
        var at = Math.Abs(position % bytes.Length);
        bytes[at] ^= (byte)(1 << (bit % 8));
        try
        {
            ModelFile.Read(new MemoryStream(bytes));
            return false;
        }
        catch (ModelFormatException)
        {
            return true;
        }
    }

    [Fact]
    public void Read_OtherFormatVersion_SaysWhichVersions()
    {
        var bytes = Save(new BaselineTrainerFactory().Create());
        bytes[8] = 4;

        var error = Assert.Throws<ModelFormatException>(() => Load(bytes));

        Assert.Equal("The model file has format version 4; this library reads versions 1 to 3.", error.Message);
    }

    [Fact]
    public void Write_FactorModelsStayOnVersion2_NeighbourhoodModelsNeedVersion3()
    {
        // Replicas on the previous release read version 2: a factor model (and a blend of them) is still written so.
        var data = TestDatasets.Synthetic(11, 25, 35, 12);
        Assert.Equal(2, Save(RecommenderAlgorithms.Create("baseline").Fit(data))[8]);
        Assert.Equal(3, Save(RecommenderAlgorithms.Create("item-knn").Fit(data))[8]);
        Assert.Equal(3, Save(RecommenderAlgorithms.Create("blend", new AlgorithmSettings { Components = ["baseline", "knn-baseline"] }).Fit(data))[8]);

        // Relabelling a version-2 file as 3 (whose checksum also covers the header) is caught.
        var bytes = Save(RecommenderAlgorithms.Create("baseline").Fit(data));
        bytes[8] = 3;
        Assert.Contains("SHA-256", Assert.Throws<ModelFormatException>(() => Load(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NotAModelFile_SaysSo()
    {
        var error = Assert.Throws<ModelFormatException>(() => Load("userId,movieId,rating,timestamp\n"u8.ToArray()));

        Assert.StartsWith("This is not a Recsys model file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TrailingBytes_AreRejected()
    {
        var bytes = Save(new BaselineTrainerFactory().Create());

        var error = Assert.Throws<ModelFormatException>(() => Load([.. bytes, 0]));

        Assert.Contains("after its checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_ForeignModel_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => Save(new ForeignModel()));
    }

    [Fact]
    public void SaveLoad_File_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"recsys-{Guid.NewGuid():N}.bin");
        try
        {
            var model = new BaselineTrainerFactory().Create();
            ModelFile.Save(path, model);

            Assert.Equal(model.Predict(0, 0), ModelFile.Load(path).Model.Predict(0, 0));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class BaselineTrainerFactory
    {
        public IRecommender Create() => new Recsys.Baselines.BaselineTrainer().Fit(TestDatasets.Synthetic(2, 10, 12, 5));
    }

    private sealed class ForeignModel : IRecommender
    {
        public string Algorithm => "foreign";

        public IdMap Users => IdMap.Empty;

        public IdMap Items => IdMap.Empty;

        public float Predict(int user, int item) => 0;

        public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> destination) => destination.Clear();

        public int Recommend(int user, Span<ScoredItem> destination, RecommendationFilter? filter = null) => 0;
    }
}
