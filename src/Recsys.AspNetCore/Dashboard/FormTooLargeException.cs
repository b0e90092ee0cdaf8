namespace Recsys.AspNetCore.Dashboard;

/// <summary>A dashboard form over its size limits: answered with 413 and a page naming the limit.</summary>
internal sealed class FormTooLargeException(string message) : Exception(message);
