using Microsoft.Extensions.Options;

namespace Recsys.Factorization;

/// <summary>The source-generated validator of <see cref="BlendOptions"/>.</summary>
[OptionsValidator]
public sealed partial class BlendOptionsValidator : IValidateOptions<BlendOptions>;
