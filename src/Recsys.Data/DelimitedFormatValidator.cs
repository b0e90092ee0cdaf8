using Microsoft.Extensions.Options;

namespace Recsys.Data;

/// <summary>The source-generated validator of <see cref="DelimitedFormat"/> (its DataAnnotations).</summary>
[OptionsValidator]
internal sealed partial class DelimitedFormatValidator : IValidateOptions<DelimitedFormat>;
