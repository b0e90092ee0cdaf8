using Microsoft.Extensions.Options;

namespace Recsys.Evaluation;

/// <summary>The source-generated validator of <see cref="EvaluationOptions"/> (its DataAnnotations).</summary>
[OptionsValidator]
internal sealed partial class EvaluationOptionsValidator : IValidateOptions<EvaluationOptions>;
