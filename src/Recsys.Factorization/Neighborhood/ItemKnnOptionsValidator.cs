using Microsoft.Extensions.Options;

namespace Recsys.Neighborhood;

/// <summary>Validates <see cref="ItemKnnOptions"/> (source-generated from its data annotations).</summary>
[OptionsValidator]
public sealed partial class ItemKnnOptionsValidator : IValidateOptions<ItemKnnOptions>;
