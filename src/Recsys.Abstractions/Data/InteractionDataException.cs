namespace Recsys.Data;

/// <summary>Thrown when interaction or item data cannot be read; names the source and the line.</summary>
public sealed class InteractionDataException : FormatException
{
    /// <summary>Initializes a new instance of the <see cref="InteractionDataException"/> class.</summary>
    public InteractionDataException()
        : this("The interaction data is invalid.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InteractionDataException"/> class.</summary>
    /// <param name="message">The message.</param>
    public InteractionDataException(string message)
        : base(message)
    {
        Reason = message;
    }

    /// <summary>Initializes a new instance of the <see cref="InteractionDataException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InteractionDataException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>Initializes a new instance of the <see cref="InteractionDataException"/> class for a line of a source.</summary>
    /// <param name="source">The file name or other description of the source.</param>
    /// <param name="lineNumber">The 1-based line number, or 0 when the problem is not on one line.</param>
    /// <param name="reason">What is wrong.</param>
    public InteractionDataException(string source, long lineNumber, string reason)
        : base(lineNumber > 0 ? $"{source}, line {lineNumber}: {reason}" : $"{source}: {reason}")
    {
        Source = source;
        LineNumber = lineNumber;
        Reason = reason;
    }

    /// <summary>Gets the 1-based line number, or 0 when the problem is not on one line.</summary>
    public long LineNumber { get; }

    /// <summary>Gets what is wrong, without the source and line.</summary>
    public string Reason { get; }
}
