namespace Recsys.Recommenders;

/// <summary>
/// Writes and reads the models of a trainer outside this library, so that they can be registered, hot-reloaded and
/// served like the built-in ones. Register one with <c>services.AddRecsys().AddModelSerializer&lt;T&gt;()</c>; the
/// model file then stores <see cref="Format"/> and the bytes <see cref="Write"/> produced inside its own checksummed
/// envelope (item metadata and the checksum stay the model file's).
/// </summary>
/// <remarks>Implementations must be thread-safe: one instance serves every registration and every load.</remarks>
public interface IModelSerializer
{
    /// <summary>
    /// Gets the stable name stored in the model file (for example <c>acme.genre-popularity/1</c>): the reader is found
    /// by it, so it must never change for files already written. Compared ordinally.
    /// </summary>
    string Format { get; }

    /// <summary>Returns whether this serializer writes <paramref name="model"/>.</summary>
    /// <param name="model">A model about to be saved.</param>
    /// <returns><see langword="true"/> when <see cref="Write"/> accepts it.</returns>
    bool CanWrite(IRecommender model);

    /// <summary>Writes a model this serializer accepts.</summary>
    /// <param name="model">The model.</param>
    /// <param name="destination">Receives the model's bytes; leave it open.</param>
    void Write(IRecommender model, Stream destination);

    /// <summary>Reads a model written by <see cref="Write"/>.</summary>
    /// <param name="source">Exactly the bytes <see cref="Write"/> wrote (already checksum-verified); leave it open.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">The bytes are not a model of this format.</exception>
    IRecommender Read(Stream source);
}
