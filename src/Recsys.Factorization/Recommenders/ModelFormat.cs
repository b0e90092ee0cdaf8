using Recsys.Data;
using Recsys.Registry;

namespace Recsys.Recommenders;

/// <summary>
/// The model file format with the serializers of custom model kinds plugged in: the built-in models are written as
/// <see cref="ModelFile"/> writes them; a model of another type is written by the first registered
/// <see cref="IModelSerializer"/> that accepts it, inside the same checksummed envelope (format version 4). Hosts get
/// one from the container (built from every registered <see cref="IModelSerializer"/>); <see cref="Default"/> knows the
/// built-in models only.
/// </summary>
public sealed class ModelFormat
{
    private readonly IModelSerializer[] _serializers;
    private readonly Dictionary<string, IModelSerializer> _byFormat;

    /// <summary>Initializes a new instance of the <see cref="ModelFormat"/> class.</summary>
    /// <param name="serializers">The serializers of custom model kinds; their <see cref="IModelSerializer.Format"/> names must differ.</param>
    /// <exception cref="ArgumentException">Two serializers share a format name, or one has an empty name.</exception>
    public ModelFormat(IEnumerable<IModelSerializer> serializers)
    {
        ArgumentNullException.ThrowIfNull(serializers);
        _serializers = [.. serializers];
        _byFormat = new Dictionary<string, IModelSerializer>(StringComparer.Ordinal);
        foreach (var serializer in _serializers)
        {
            if (string.IsNullOrWhiteSpace(serializer.Format))
            {
                throw new ArgumentException($"The model serializer {serializer.GetType().Name} has an empty Format name.", nameof(serializers));
            }

            if (!_byFormat.TryAdd(serializer.Format, serializer))
            {
                throw new ArgumentException(
                    $"Two model serializers ({_byFormat[serializer.Format].GetType().Name} and {serializer.GetType().Name}) share the format name '{serializer.Format}'; each needs its own.",
                    nameof(serializers));
            }
        }
    }

    /// <summary>Gets the format of the built-in models only.</summary>
    public static ModelFormat Default { get; } = new([]);

    /// <summary>Gets the serializers of custom model kinds.</summary>
    public IReadOnlyList<IModelSerializer> Serializers => _serializers;

    /// <summary>Writes a model to a stream.</summary>
    /// <param name="destination">The stream.</param>
    /// <param name="model">A built-in model, or one a registered serializer accepts.</param>
    /// <param name="itemMetadata">Item titles and genres to keep with the model, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">No built-in kind and no registered serializer writes the model.</exception>
    public void Write(Stream destination, IRecommender model, ItemMetadata? itemMetadata = null) =>
        ModelFile.Write(destination, model, itemMetadata, this);

    /// <summary>Writes a model into a new array (what the registry stores).</summary>
    /// <param name="model">A built-in model, or one a registered serializer accepts.</param>
    /// <param name="itemMetadata">Item titles and genres to keep with the model, or <see langword="null"/>.</param>
    /// <returns>The model file's bytes.</returns>
    /// <exception cref="ArgumentException">No built-in kind and no registered serializer writes the model.</exception>
    public ReadOnlyMemory<byte> Serialize(IRecommender model, ItemMetadata? itemMetadata = null)
    {
        var buffer = new MemoryStream();
        Write(buffer, model, itemMetadata);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>
    /// Writes a model to a temporary file and returns it open at its first byte; the file is deleted when the stream is
    /// disposed. It is what <see cref="IModelRegistry.RegisterVersionAsync"/> streams into an artifact store, so
    /// registering a model never holds its file in memory (at a million items and rank 64 that is 256 MiB of factors).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="itemMetadata">Item titles and genres to keep with the model, or <see langword="null"/>.</param>
    /// <returns>The model file, readable and seekable.</returns>
    /// <exception cref="ArgumentException">No built-in kind and no registered serializer writes the model.</exception>
    public Stream SerializeToTemporaryFile(IRecommender model, ItemMetadata? itemMetadata = null)
    {
        var file = new FileStream(
            Path.Combine(Path.GetTempPath(), $"recsys-model-{Guid.NewGuid():N}.tmp"),
            FileMode.CreateNew,
            FileAccess.ReadWrite,
            FileShare.None,
            1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            Write(file, model, itemMetadata);
            file.Position = 0;
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads a model from a stream holding exactly one model file.</summary>
    /// <param name="source">The stream.</param>
    /// <returns>The model and its item metadata.</returns>
    /// <exception cref="ModelFormatException">The data is not a valid model file, or holds a custom kind no registered serializer reads.</exception>
    public ModelPackage Read(Stream source) => ModelFile.Read(source, this);

    /// <summary>
    /// Reads a registered version's artifact as it streams from the registry's store (no copy of it is held) and builds
    /// its model; the model is returned only after the registry has checked the artifact's size and SHA-256.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The model and its item metadata.</returns>
    /// <exception cref="ModelFormatException">The artifact is not a model this format reads.</exception>
    public Task<ModelPackage> ReadVersionAsync(IModelRegistry registry, ModelVersion version, CancellationToken cancellationToken) =>
        ReadVersionAsync(registry, version, trainingItems: true, cancellationToken);

    /// <summary>
    /// Reads a registered version's artifact as <see cref="ReadVersionAsync(IModelRegistry, ModelVersion, CancellationToken)"/>
    /// does, but a factor model without its users' training items (at a billion ratings, 4 GB): for scoring held-out
    /// ratings of a model trained beyond memory. Such a model predicts; its <see cref="IRecommender.Recommend"/> throws,
    /// since it could not leave the training items out. Other kinds of model are read whole.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The model and its item metadata.</returns>
    /// <exception cref="ModelFormatException">The artifact is not a model this format reads.</exception>
    public Task<ModelPackage> ReadVersionForPredictionAsync(IModelRegistry registry, ModelVersion version, CancellationToken cancellationToken) =>
        ReadVersionAsync(registry, version, trainingItems: false, cancellationToken);

    private async Task<ModelPackage> ReadVersionAsync(IModelRegistry registry, ModelVersion version, bool trainingItems, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(version);
        var artifact = await registry.OpenArtifactAsync(version.ModelName, version.Version, cancellationToken).ConfigureAwait(false);
        await using (artifact.ConfigureAwait(false))
        {
            // Parsed as it streams from the store (the file format reads synchronously; 1 MiB reads keep the calls to
            // a remote store few). The reader goes on to the artifact's end, where the registry checks its size and
            // SHA-256, before the model is returned.
            using var buffered = new BufferedStream(artifact, 1 << 20);
            try
            {
                return ModelFile.Read(buffered, this, trainingItems);
            }
            catch (ModelFormatException)
            {
                // Damage in the store is the registry's to name (ArtifactIntegrityException, thrown at the end of the
                // artifact): a model file whose bytes are what was registered is what the format says it is.
                await buffered.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                throw;
            }
        }
    }

    internal IModelSerializer? WriterFor(IRecommender model)
    {
        foreach (var serializer in _serializers)
        {
            if (serializer.CanWrite(model))
            {
                return serializer;
            }
        }

        return null;
    }

    internal IModelSerializer ReaderFor(string format) =>
        _byFormat.TryGetValue(format, out var serializer)
            ? serializer
            : throw new ModelFormatException(_serializers.Length == 0
                ? $"The model file holds a custom model of format '{format}' and no model serializer is registered; register the one that wrote it with services.AddRecsys().AddModelSerializer<…>()."
                : $"The model file holds a custom model of format '{format}', which none of the registered model serializers ({string.Join(", ", _byFormat.Keys)}) reads; register the one that wrote it with services.AddRecsys().AddModelSerializer<…>().");
}
