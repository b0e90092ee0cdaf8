using System.ComponentModel.DataAnnotations;

namespace Recsys.Evaluation;

/// <summary>Settings of the <see cref="Evaluator"/>.</summary>
public sealed class EvaluationOptions
{
    /// <summary>Gets or sets the cut-off K of the ranking metrics.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 10_000)]
    public int K { get; set; } = 10;

    /// <summary>Gets or sets the lowest held-out value that makes an item relevant to its user.</summary>
    /// <value>The default value is 4.0.</value>
    [Range(-1e9, 1e9)]
    public double RelevanceThreshold { get; set; } = 4.0;

    /// <summary>Gets or sets the number of threads ranking users in parallel; -1 uses every core.</summary>
    /// <value>The default value is -1.</value>
    [Range(-1, 1024)]
    public int MaxDegreeOfParallelism { get; set; } = -1;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        var checkedRanges = new EvaluationOptionsValidator().Validate(null, this); // source-generated: the same checks as ValidateOnStart
        if (checkedRanges.Failed)
        {
            throw new ValidationException(checkedRanges.FailureMessage);
        }

        if (MaxDegreeOfParallelism == 0)
        {
            throw new ValidationException("MaxDegreeOfParallelism must be -1 or positive.");
        }
    }
}
