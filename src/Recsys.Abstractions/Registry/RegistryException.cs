namespace Recsys.Registry;

/// <summary>A registry operation could not be carried out; the message says why.</summary>
public class RegistryException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="RegistryException"/> class.</summary>
    public RegistryException()
        : base("The registry operation failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RegistryException"/> class.</summary>
    /// <param name="message">What went wrong.</param>
    public RegistryException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RegistryException"/> class.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
