using Microsoft.Extensions.Options;

namespace Recsys.Factorization;

/// <summary>The source-generated validator of <see cref="TruncatedSvdOptions"/>.</summary>
[OptionsValidator]
public sealed partial class TruncatedSvdOptionsValidator : IValidateOptions<TruncatedSvdOptions>;
