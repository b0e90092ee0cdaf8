using Microsoft.Extensions.Options;

namespace Recsys.Factorization;

/// <summary>The source-generated validator of <see cref="ImplicitAlsOptions"/>.</summary>
[OptionsValidator]
public sealed partial class ImplicitAlsOptionsValidator : IValidateOptions<ImplicitAlsOptions>;
