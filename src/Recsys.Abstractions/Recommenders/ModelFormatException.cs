namespace Recsys.Recommenders;

/// <summary>Thrown when a model file is not a model file, has an unsupported format version, is truncated or corrupt.</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ModelFormatException"/> class.</summary>
    public ModelFormatException()
        : base("The model file is invalid.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelFormatException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelFormatException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
