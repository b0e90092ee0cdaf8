namespace Recsys.Serving;

/// <summary>The interaction store cannot be reached: the interactions were not stored (HTTP 503 with Retry-After); send them again later.</summary>
public sealed class InteractionStoreUnavailableException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="InteractionStoreUnavailableException"/> class.</summary>
    public InteractionStoreUnavailableException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InteractionStoreUnavailableException"/> class.</summary>
    /// <param name="message">What happened, naming the cause.</param>
    public InteractionStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InteractionStoreUnavailableException"/> class.</summary>
    /// <param name="message">What happened, naming the cause.</param>
    /// <param name="innerException">The database error.</param>
    public InteractionStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
