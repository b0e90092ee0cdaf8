using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Recsys.Baselines;
using Recsys.Factorization;
using Recsys.Neighborhood;

namespace Recsys.Recommenders;

/// <summary>Renders a trainer's options as JSON for model files and the registry.</summary>
/// <remarks>
/// The options types' metadata is source-generated (<see cref="TrainerOptionsJsonContext"/>) and the enum converters
/// are generic, so no reflection or runtime code generation is needed (the library is trimming- and AOT-compatible):
/// building the metadata by reflection was also a one-time cost of about a tenth of a second inside the first fit of
/// a process (a <c>dotnet-trace</c> of a first truncated-SVD fit). The naming policy and the enum converter are what
/// reflection was given before, so the JSON is the same (<c>TrainerParametersTests</c>).
/// </remarks>
internal static class TrainerParameters
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters =
        {
            new JsonStringEnumConverter<NmfSolver>(JsonNamingPolicy.SnakeCaseLower),
            new JsonStringEnumConverter<NmfInit>(JsonNamingPolicy.SnakeCaseLower),
            new JsonStringEnumConverter<SvdCentering>(JsonNamingPolicy.SnakeCaseLower),
            new JsonStringEnumConverter<PopularityKind>(JsonNamingPolicy.SnakeCaseLower),
            new JsonStringEnumConverter<ModelPurpose>(JsonNamingPolicy.SnakeCaseLower),
            new JsonStringEnumConverter<ItemSimilarity>(JsonNamingPolicy.SnakeCaseLower),
        },
        TypeInfoResolver = TrainerOptionsJsonContext.Default,
    };

    /// <summary>The options as JSON; <typeparamref name="TOptions"/> must be one of <see cref="TrainerOptionsJsonContext"/>'s types.</summary>
    public static string ToJson<TOptions>(TOptions options) => JsonSerializer.Serialize(options, (JsonTypeInfo<TOptions>)Json.GetTypeInfo(typeof(TOptions)));
}

/// <summary>Source-generated metadata of every trainer's options (see <see cref="TrainerParameters"/>).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(MatrixFactorizationOptions))]
[JsonSerializable(typeof(AlsOptions))]
[JsonSerializable(typeof(ImplicitAlsOptions))]
[JsonSerializable(typeof(NmfOptions))]
[JsonSerializable(typeof(MaskedNmfOptions))]
[JsonSerializable(typeof(TruncatedSvdOptions))]
[JsonSerializable(typeof(BaselineOptions))]
[JsonSerializable(typeof(PopularityOptions))]
[JsonSerializable(typeof(EaseOptions))]
[JsonSerializable(typeof(ItemKnnOptions))]
internal sealed partial class TrainerOptionsJsonContext : JsonSerializerContext;
