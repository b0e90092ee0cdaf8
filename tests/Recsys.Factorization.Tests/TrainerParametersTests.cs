using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Recsys.Baselines;
using Recsys.Neighborhood;
using Recsys.Recommenders;

namespace Recsys.Factorization.Tests;

/// <summary>The source-generated options metadata writes the same parameters JSON as reflection did (model files and the registry keep it).</summary>
public sealed class TrainerParametersTests
{
    public static TheoryData<object> Options =>
    [
        new MatrixFactorizationOptions { Rank = 12, Epochs = 3 },
        new AlsOptions(),
        new ImplicitAlsOptions(),
        new NmfOptions(),
        new MaskedNmfOptions(),
        new TruncatedSvdOptions { Centering = SvdCentering.UserMean },
        new BaselineOptions(),
        new PopularityOptions(),
        new EaseOptions { Regularization = 123.5 },
        new ItemKnnOptions { Similarity = ItemSimilarity.Cosine },
    ];

    [Theory]
    [MemberData(nameof(Options))]
    public void ToJson_IsWhatReflectionWrites(object options)
    {
        var reflection = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };

        var expected = JsonSerializer.Serialize(options, options.GetType(), reflection);

        Assert.Equal(expected, JsonSerializer.Serialize(options, options.GetType(), TrainerParameters.Json));
        Assert.True(TrainerOptionsJsonContext.Default.GetTypeInfo(options.GetType()) is not null, $"{options.GetType().Name} has generated metadata");
    }

    [Fact]
    public void ToJson_WritesSnakeCaseNamesAndEnumValues()
    {
        var json = TrainerParameters.ToJson(new ItemKnnOptions { Similarity = ItemSimilarity.PearsonBaseline });

        Assert.Contains("\"similarity\":\"pearson_baseline\"", json, StringComparison.Ordinal);
        Assert.Contains("\"learning_rate\":", TrainerParameters.ToJson(new MatrixFactorizationOptions()), StringComparison.Ordinal);
    }
}
