using Microsoft.Extensions.Options;

namespace Recsys.Neighborhood;

/// <summary>Validates <see cref="EaseOptions"/> (source-generated from its data annotations).</summary>
[OptionsValidator]
public sealed partial class EaseOptionsValidator : IValidateOptions<EaseOptions>;
