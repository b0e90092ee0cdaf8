namespace Recsys.Serving;

/// <summary>A query that cannot be served as asked: an id that is empty, too long or holds control characters, a count out of range, a non-finite score, a genre filter without item metadata (HTTP 400). The message names the field.</summary>
public sealed class InvalidQueryException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="InvalidQueryException"/> class.</summary>
    public InvalidQueryException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InvalidQueryException"/> class.</summary>
    /// <param name="message">What happened, naming the cause.</param>
    public InvalidQueryException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InvalidQueryException"/> class.</summary>
    /// <param name="message">What happened, naming the cause.</param>
    /// <param name="innerException">The underlying error.</param>
    public InvalidQueryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
