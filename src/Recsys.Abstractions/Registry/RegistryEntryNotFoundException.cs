namespace Recsys.Registry;

/// <summary>A model, version or alias does not exist.</summary>
public sealed class RegistryEntryNotFoundException : RegistryException
{
    /// <summary>Initializes a new instance of the <see cref="RegistryEntryNotFoundException"/> class.</summary>
    public RegistryEntryNotFoundException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RegistryEntryNotFoundException"/> class.</summary>
    /// <param name="message">What is missing.</param>
    public RegistryEntryNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RegistryEntryNotFoundException"/> class.</summary>
    /// <param name="message">What is missing.</param>
    /// <param name="innerException">The cause.</param>
    public RegistryEntryNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
