namespace Recsys.Data;

/// <summary>A Delta table cannot be read: its log is missing, inconsistent or corrupt, or it needs a feature this reader does not implement.</summary>
/// <remarks>The reader never returns a partial read: it throws this exception instead.</remarks>
public sealed class DeltaTableException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="DeltaTableException"/> class.</summary>
    public DeltaTableException()
        : this("The Delta table cannot be read.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeltaTableException"/> class with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public DeltaTableException(string message)
        : base(message)
    {
        Table = string.Empty;
        Reason = message;
    }

    /// <summary>Initializes a new instance of the <see cref="DeltaTableException"/> class with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public DeltaTableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Table = string.Empty;
        Reason = message;
    }

    /// <summary>Initializes a new instance of the <see cref="DeltaTableException"/> class for a table.</summary>
    /// <param name="table">The table's directory.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    /// <param name="unsupportedFeature">The protocol feature (or "readerVersion N") the reader refuses, if that is the reason.</param>
    public DeltaTableException(string table, string reason, Exception? innerException = null, string? unsupportedFeature = null)
        : base($"Delta table {table}: {reason}", innerException)
    {
        Table = table;
        Reason = reason;
        UnsupportedFeature = unsupportedFeature;
    }

    /// <summary>Gets the table's directory.</summary>
    public string Table { get; }

    /// <summary>Gets what is wrong, without the table.</summary>
    public string Reason { get; }

    /// <summary>Gets the feature the reader refuses to read (for example <c>typeWidening</c> or <c>readerVersion 99</c>), or <see langword="null"/> when the table is unreadable for another reason.</summary>
    public string? UnsupportedFeature { get; }
}
