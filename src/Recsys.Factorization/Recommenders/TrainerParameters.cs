using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Recsys.Baselines;
using Recsys.Factorization;
using Recsys.Neighborhood;

namespace Recsys.Recommenders;

/// <summary>Renders a trainer's options as JSON for model files and the registry.</summary>
/// <remarks>
/// The options types' metadata is source-generated (<see cref="TrainerOptionsJsonContext"/>), reflection only the
/// fallback for another type: building it by reflection was a one-time cost of about a tenth of a second inside the
/// first fit of a process (a <c>dotnet-trace</c> of a first truncated-SVD fit). The naming policy and the enum
/// converter are these options', so the JSON is the same either way (<c>TrainerParametersTests</c>).
/// </remarks>
internal static class TrainerParameters
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        TypeInfoResolver = JsonTypeInfoResolver.Combine(TrainerOptionsJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    public static string ToJson<TOptions>(TOptions options) => JsonSerializer.Serialize(options, Json);
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
