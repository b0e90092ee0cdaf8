using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Baselines;

/// <summary>Settings of the <see cref="BaselineTrainer"/> (the regularized user and item bias model).</summary>
/// <remarks>Defaults follow Surprise's <c>BaselineOnly</c> with alternating least squares.</remarks>
public sealed class BaselineOptions
{
    /// <summary>Gets or sets the number of alternating passes over items and users.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 1000)]
    public int Epochs { get; set; } = 10;

    /// <summary>Gets or sets the regularization of user biases (a pseudo-count of ratings at the global mean).</summary>
    /// <value>The default value is 15.</value>
    [Range(0.0, 1e6)]
    public double UserRegularization { get; set; } = 15;

    /// <summary>Gets or sets the regularization of item biases.</summary>
    /// <value>The default value is 10.</value>
    [Range(0.0, 1e6)]
    public double ItemRegularization { get; set; } = 10;

    /// <summary>Checks the options with the source-generated validator.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate() => OptionsValidation.ThrowIfInvalid(new BaselineOptionsValidator(), this);
}
