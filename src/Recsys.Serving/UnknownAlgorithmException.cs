namespace Recsys.Serving;

/// <summary>The requested <c>algorithm</c> names neither an alias of the served model nor a registered model with a version at the served stage (HTTP 400).</summary>
public sealed class UnknownAlgorithmException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="UnknownAlgorithmException"/> class.</summary>
    public UnknownAlgorithmException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnknownAlgorithmException"/> class.</summary>
    /// <param name="message">What happened, naming the cause.</param>
    public UnknownAlgorithmException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnknownAlgorithmException"/> class.</summary>
    /// <param name="message">What happened, naming the cause.</param>
    /// <param name="innerException">The underlying error.</param>
    public UnknownAlgorithmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
