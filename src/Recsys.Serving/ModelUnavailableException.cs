namespace Recsys.Serving;

/// <summary>No model is loaded for the request yet: the registry has nothing at the served stage or alias, or loading it failed (HTTP 503 with Retry-After).</summary>
public sealed class ModelUnavailableException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ModelUnavailableException"/> class.</summary>
    public ModelUnavailableException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelUnavailableException"/> class.</summary>
    /// <param name="message">What happened, naming the cause.</param>
    public ModelUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelUnavailableException"/> class.</summary>
    /// <param name="message">What happened, naming the cause.</param>
    /// <param name="innerException">The underlying error.</param>
    public ModelUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
