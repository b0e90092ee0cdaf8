using Microsoft.Extensions.Options;

namespace Recsys.Data;

/// <summary>The source-generated validator of <see cref="SyntheticDataOptions"/> (its DataAnnotations).</summary>
[OptionsValidator]
internal sealed partial class SyntheticDataOptionsValidator : IValidateOptions<SyntheticDataOptions>;
