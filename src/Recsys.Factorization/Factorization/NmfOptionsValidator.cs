using Microsoft.Extensions.Options;

namespace Recsys.Factorization;

/// <summary>The source-generated validator of <see cref="NmfOptions"/>.</summary>
[OptionsValidator]
public sealed partial class NmfOptionsValidator : IValidateOptions<NmfOptions>;
