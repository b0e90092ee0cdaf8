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

/// <summary>A stored artifact is missing or does not match its SHA-256; it is never served.</summary>
public sealed class ArtifactIntegrityException : RegistryException
{
    /// <summary>Initializes a new instance of the <see cref="ArtifactIntegrityException"/> class.</summary>
    public ArtifactIntegrityException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ArtifactIntegrityException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    public ArtifactIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ArtifactIntegrityException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ArtifactIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
