using Microsoft.Extensions.Options;

namespace Recsys.Factorization;

/// <summary>The source-generated validator of <see cref="MaskedNmfOptions"/>.</summary>
[OptionsValidator]
public sealed partial class MaskedNmfOptionsValidator : IValidateOptions<MaskedNmfOptions>;
