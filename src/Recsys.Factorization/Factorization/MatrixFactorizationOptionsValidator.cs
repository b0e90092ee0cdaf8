using Microsoft.Extensions.Options;

namespace Recsys.Factorization;

/// <summary>The source-generated validator of <see cref="MatrixFactorizationOptions"/>.</summary>
[OptionsValidator]
public sealed partial class MatrixFactorizationOptionsValidator : IValidateOptions<MatrixFactorizationOptions>;
