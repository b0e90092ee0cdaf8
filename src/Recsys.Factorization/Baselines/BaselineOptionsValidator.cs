using Microsoft.Extensions.Options;

namespace Recsys.Baselines;

/// <summary>The source-generated validator of <see cref="BaselineOptions"/>.</summary>
[OptionsValidator]
public sealed partial class BaselineOptionsValidator : IValidateOptions<BaselineOptions>;
