namespace Recsys.Registry;

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
