namespace Recsys.Serving;

/// <summary>The outcome of <see cref="DependencyHealth.CallAsync{T}"/>.</summary>
/// <param name="Answered">Whether the component answered.</param>
/// <param name="Value">Its answer.</param>
/// <param name="Error">The outage's error, when the call was made and failed; null when it was skipped.</param>
internal readonly record struct DependencyCall<T>(bool Answered, T? Value, Exception? Error);
