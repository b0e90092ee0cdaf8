using Microsoft.Extensions.Options;

namespace Recsys.Factorization;

/// <summary>The source-generated validator of <see cref="AlsOptions"/>.</summary>
[OptionsValidator]
public sealed partial class AlsOptionsValidator : IValidateOptions<AlsOptions>;
