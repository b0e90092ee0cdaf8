using Microsoft.Extensions.Options;

namespace Recsys.Serving;

/// <summary>The source-generated validator of <see cref="RecommenderOptions"/>: DataAnnotations plus <see cref="RecommenderOptions.Validate"/>.</summary>
[OptionsValidator]
internal sealed partial class RecommenderOptionsValidator : IValidateOptions<RecommenderOptions>;
