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

    /// <summary>Reads a model from a stream holding exactly one model file.</summary>
    /// <param name="source">The stream.</param>
    /// <returns>The model and its item metadata.</returns>
    /// <exception cref="ModelFormatException">The data is not a valid model file, or holds a custom kind no registered serializer reads.</exception>
    public ModelPackage Read(Stream source) => ModelFile.Read(source, this);

    /// <summary>Reads a registered version's artifact (checksum-verified by the registry) and builds its model.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The model and its item metadata.</returns>
    /// <exception cref="ModelFormatException">The artifact is not a model this format reads.</exception>
    public async Task<ModelPackage> ReadVersionAsync(IModelRegistry registry, ModelVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(version);
        var bytes = await registry.ReadArtifactAsync(version.ModelName, version.Version, cancellationToken).ConfigureAwait(false);
        return Read(new MemoryStream(bytes, writable: false));
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
