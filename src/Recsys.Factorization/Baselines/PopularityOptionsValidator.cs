using Microsoft.Extensions.Options;

namespace Recsys.Baselines;

/// <summary>The source-generated validator of <see cref="PopularityOptions"/>.</summary>
[OptionsValidator]
public sealed partial class PopularityOptionsValidator : IValidateOptions<PopularityOptions>;
