using FsCheck.Xunit;
using Recsys.Data;
using Recsys.Evaluation;

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
        var model = RecommenderAlgorithms.Create(algorithm, new AlgorithmSettings { Epochs = 3, Rank = 4, Components = ["baseline", "biased-mf"] }, HoldoutValidator.Default).Fit(data);

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
        bytes[8] = 6;

        var error = Assert.Throws<ModelFormatException>(() => Load(bytes));

        Assert.Equal("The model file has format version 6; this library reads versions 1 to 5.", error.Message);
    }

    [Fact]
    public void Write_FactorModelsStayOnVersion2_NeighbourhoodModelsNeedVersion3()
    {
        // Replicas on the previous release read version 2: a factor model (and a blend of them) is still written so.
        var data = TestDatasets.Synthetic(11, 25, 35, 12);
        Assert.Equal(2, Save(RecommenderAlgorithms.Create("baseline").Fit(data))[8]);
        Assert.Equal(3, Save(RecommenderAlgorithms.Create("item-knn").Fit(data))[8]);
        Assert.Equal(3, Save(RecommenderAlgorithms.Create("blend", new AlgorithmSettings { Components = ["baseline", "knn-baseline"] }, HoldoutValidator.Default).Fit(data))[8]);

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
    public void SaveToAPath_ThatFails_LeavesTheFileThatWasThere_AndNoPartialFile()
    {
        var folder = Directory.CreateTempSubdirectory("recsys-modelfile-");
        try
        {
            var path = Path.Combine(folder.FullName, "model.bin");
            var model = new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 4, Epochs = 2 }).Fit(SyntheticDataGenerator.CreateDefault());
            ModelFile.Save(path, model);
            var before = File.ReadAllBytes(path);

            Assert.Throws<ArgumentException>(() => ModelFile.Save(path, new ForeignModel()));

            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(["model.bin"], folder.GetFiles("*", SearchOption.AllDirectories).Select(f => f.Name));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Save_ForeignModel_WithoutASerializer_IsRefusedNamingTheFix()
    {
        var error = Assert.Throws<ArgumentException>(() => Save(new ForeignModel()));

        Assert.Contains("ForeignModel", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddModelSerializer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CustomModel_WithItsSerializer_RoundTripsInVersion4WithMetadata()
    {
        var format = new ModelFormat([new ForeignSerializer()]);
        using var stream = new MemoryStream();
        format.Write(stream, new ForeignModel(), Metadata);
        var bytes = stream.ToArray();

        var loaded = format.Read(new MemoryStream(bytes));

        Assert.Equal(4, bytes[8]);
        Assert.IsType<ForeignModel>(loaded.Model);
        Assert.True(loaded.ItemMetadata!.TryGetAttributes("1", out var one));
        Assert.Equal(["Drama", "Comedy"], one.Genres);
        Assert.Equal(bytes, format.Serialize(new ForeignModel(), Metadata).ToArray());

        // Built-in models are still written as before (the serializer is never asked for them).
        var baseline = new BaselineTrainerFactory().Create();
        Assert.Equal(Save(baseline), format.Serialize(baseline).ToArray());
    }

    [Fact]
    public void CustomModel_ReadWithoutItsSerializer_NamesTheFormatAndTheFix()
    {
        var bytes = new ModelFormat([new ForeignSerializer()]).Serialize(new ForeignModel()).ToArray();

        var unregistered = Assert.Throws<ModelFormatException>(() => Load(bytes));
        var other = Assert.Throws<ModelFormatException>(() => new ModelFormat([new ForeignSerializer("other/1")]).Read(new MemoryStream(bytes)));

        Assert.Contains("custom model of format 'test.foreign/1' and no model serializer is registered", unregistered.Message, StringComparison.Ordinal);
        Assert.Contains("none of the registered model serializers (other/1) reads", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CustomModel_SerializerThatFails_IsAFormatErrorNamingIt()
    {
        var bytes = new ModelFormat([new ForeignSerializer()]).Serialize(new ForeignModel()).ToArray();

        var error = Assert.Throws<ModelFormatException>(() => new ModelFormat([new ForeignSerializer(fail: true)]).Read(new MemoryStream(bytes)));

        Assert.Contains("format 'test.foreign/1' (ForeignSerializer) failed to read its model: bad magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelFormat_TwoSerializersOfOneName_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelFormat([new ForeignSerializer(), new ForeignSerializer()]));

        Assert.Contains("share the format name 'test.foreign/1'", error.Message, StringComparison.Ordinal);
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

    private sealed class ForeignSerializer(string format = "test.foreign/1", bool fail = false) : IModelSerializer
    {
        public string Format => format;

        public bool CanWrite(IRecommender model) => model is ForeignModel;

        public void Write(IRecommender model, Stream destination) => destination.Write("FOREIGN"u8);

        public IRecommender Read(Stream source)
        {
            Span<byte> magic = stackalloc byte[7];
            source.ReadExactly(magic);
            return !fail && magic.SequenceEqual("FOREIGN"u8) && source.ReadByte() < 0
                ? new ForeignModel()
                : throw new InvalidDataException("bad magic");
        }
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
