namespace Recsys.Data;

/// <summary>Receives generated interactions one at a time, by dense index, without an object per interaction.</summary>
public interface IInteractionSink
{
    /// <summary>Receives one interaction.</summary>
    /// <param name="user">The user index.</param>
    /// <param name="item">The item index.</param>
    /// <param name="value">The value.</param>
    /// <param name="timestamp">Seconds since the Unix epoch.</param>
    void Add(int user, int item, float value, long timestamp);
}
