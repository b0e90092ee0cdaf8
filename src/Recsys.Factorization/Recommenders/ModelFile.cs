using System.Security.Cryptography;
using System.Text;
using Recsys.Data;
using Recsys.Neighborhood;

namespace Recsys.Recommenders;

/// <summary>
/// The versioned binary model format: a header (magic <c>RECSYSM</c>, format version, payload length), the payload
/// (algorithm, its parameters, id maps, each user's training items, biases, factors, item metadata) and the
/// SHA-256 of the payload. The payload is read as it streams (no copy of the file is held); a file that is not a model
/// file, has another format version, is truncated or fails its checksum is rejected with a
/// <see cref="ModelFormatException"/> and no model is returned from it.
/// </summary>
public static class ModelFile
{
    /// <summary>
    /// The newest format version this library writes (5, for a factor model with an item index; 4 for a custom model
    /// written by an <see cref="IModelSerializer"/>); a file is written with the lowest version its models need, and
    /// versions 1 (which lacks the training mean) to 5 are read.
    /// </summary>
    public const int FormatVersion = 5;

    private const int HeaderLength = 8 + 2 + 2 + 8;
    private const int HashLength = 32;
    private const byte FactorKind = 1;
    private const byte BlendKind = 2;
    private const byte EaseKind = 3;
    private const byte ItemKnnKind = 4;
    private const byte SupportBlendKind = 5;
    private const byte CustomKind = 6;
    private static readonly byte[] Magic = "RECSYSM\0"u8.ToArray();

    /// <summary>Writes a model built by this library to a file, replacing it once the new file is complete (a failed write leaves the old file as it was).</summary>
    /// <param name="path">The file.</param>
    /// <param name="model">The model.</param>
    /// <param name="itemMetadata">Item titles and genres to keep with the model, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The model was not built by this library's trainers.</exception>
    public static void Save(string path, IRecommender model, ItemMetadata? itemMetadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        SaveReplacing(path, stream => Write(stream, model, itemMetadata));
    }

    /// <summary>Reads a model file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model and its item metadata.</returns>
    /// <exception cref="ModelFormatException">The file is not a valid model file; the message says why.</exception>
    public static ModelPackage Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(stream);
    }

    /// <summary>Writes a model built by this library to a stream.</summary>
    /// <param name="destination">The stream.</param>
    /// <param name="model">The model.</param>
    /// <param name="itemMetadata">Item titles and genres to keep with the model, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The model was not built by this library's trainers.</exception>
    public static void Write(Stream destination, IRecommender model, ItemMetadata? itemMetadata = null) =>
        Write(destination, model, itemMetadata, ModelFormat.Default);

    internal static void Write(Stream destination, IRecommender model, ItemMetadata? itemMetadata, ModelFormat format)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(model);
        if (destination.CanSeek)
        {
            WriteInPlace(destination, writer => WriteModel(writer, model, format), itemMetadata);
            return;
        }

        using var buffer = new MemoryStream();
        WriteInPlace(buffer, writer => WriteModel(writer, model, format), itemMetadata);
        buffer.Position = 0;
        buffer.CopyTo(destination);
        destination.Flush();
    }

    // The payload is streamed to the destination through the hash, and the header (whose length and version are only
    // known at the end) is written over a placeholder: no copy of the payload is held, which at 100 M ratings is
    // hundreds of megabytes (and twice that while a MemoryStream grows).
    private static void WriteInPlace(Stream destination, Func<BinaryWriter, int> writeModel, ItemMetadata? itemMetadata)
    {
        var start = destination.Position;
        Span<byte> header = stackalloc byte[HeaderLength];
        destination.Write(header);
        int version;
        byte[] payloadHash;
        long length;
        using (var hashing = new HashingStream(destination))
        {
            using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
            {
                version = writeModel(writer);
                WriteMetadata(writer, itemMetadata);
            }

            payloadHash = hashing.Finish();
            length = hashing.Length;
        }

        Magic.CopyTo(header);
        BitConverter.TryWriteBytes(header[8..], (ushort)version);
        BitConverter.TryWriteBytes(header[10..], (ushort)0);
        BitConverter.TryWriteBytes(header[12..], length);
        var end = destination.Position;
        destination.Position = start;
        destination.Write(header);
        destination.Position = end;
        destination.Write(Checksum(version, header, payloadHash));
        destination.Flush();
    }

    /// <summary>
    /// Writes a factor model trained beyond memory: the object's footprint has no training items (at a billion ratings
    /// they are 4 GB), so they are written from <paramref name="seenOffsets"/> (a user's first, as in the footprint) and
    /// the items <paramref name="writeSeen"/> hands over in user order. The file is the same as for a model that held them.
    /// </summary>
    internal static void Save(string path, FactorModel model, int[] seenOffsets, Action<Action<ReadOnlySpan<int>>> writeSeen, ItemMetadata? itemMetadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (model.Training.SeenOffsets[^1] != 0 || seenOffsets.Length != model.Users.Count + 1)
        {
            throw new ArgumentException("The model must have no training items, and the offsets one more entry than it has users.", nameof(seenOffsets));
        }

        SaveReplacing(path, stream => WriteInPlace(stream, writer => WriteFactor(writer, model, new SeenItems(seenOffsets, writeSeen)), itemMetadata));
    }

    // Writes a new file beside `path` and moves it over `path` once complete: a write that fails (a full disk, a
    // cancelled run) leaves the file that was there as it was, and no partial file.
    private static void SaveReplacing(string path, Action<FileStream> write)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // nothing there once moved
        }
    }

    /// <summary>Reads a model from a stream holding exactly one model file.</summary>
    /// <param name="source">The stream.</param>
    /// <returns>The model and its item metadata.</returns>
    /// <exception cref="ModelFormatException">The data is not a valid model file; the message says why.</exception>
    public static ModelPackage Read(Stream source) => Read(source, ModelFormat.Default);

    // trainingItems: false skips a factor model's users' training items (at a billion ratings 4 GB); the model is
    // then one that predicts and refuses to recommend (it could not leave them out).
    internal static ModelPackage Read(Stream source, ModelFormat format, bool trainingItems = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        var header = new byte[HeaderLength];
        var headerRead = source.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        if (headerRead < Magic.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ModelFormatException("This is not a Recsys model file (its first bytes are not the RECSYSM magic).");
        }

        if (headerRead < HeaderLength)
        {
            throw new ModelFormatException($"The model file is truncated: its header has {headerRead} of {HeaderLength} bytes.");
        }

        var version = BitConverter.ToUInt16(header, 8);
        if (version is < 1 or > FormatVersion)
        {
            throw new ModelFormatException($"The model file has format version {version}; this library reads versions 1 to {FormatVersion}.");
        }

        var flags = BitConverter.ToUInt16(header, 10);
        if (flags != 0)
        {
            throw new ModelFormatException($"The model file's header has unknown flags 0x{flags:X4}.");
        }

        var length = BitConverter.ToInt64(header, 12);
        if (length < 0)
        {
            throw new ModelFormatException($"The model file's header gives an impossible payload length ({length} bytes).");
        }

        // The payload is parsed as it streams in (a registry artifact comes straight from a file, a database row or
        // a blob; no copy of it is held), hashed on the way; the model is returned only once the checksum after the
        // payload matches, and a payload that fails to parse is reported as corrupt when its checksum says so.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var payload = new PayloadStream(source, length, hash);
        ModelPackage package;
        try
        {
            using var reader = new BinaryReader(payload, Encoding.UTF8, leaveOpen: true);
            var model = ReadModel(reader, version, format, trainingItems);
            var metadata = ReadMetadata(reader);
            if (payload.Position != length)
            {
                throw new ModelFormatException("The model file's payload has unread bytes.");
            }

            package = new ModelPackage(model, metadata);
        }
        catch (Exception e) when (e is ModelFormatException or EndOfStreamException or ArgumentException or IOException or OverflowException)
        {
            payload.Drain();
            VerifyChecksum(source, version, header, hash, length);
            throw e as ModelFormatException ?? new ModelFormatException($"The model file's payload is malformed: {e.Message}", e);
        }

        VerifyChecksum(source, version, header, hash, length);
        if (source.ReadByte() >= 0)
        {
            throw new ModelFormatException("The model file has data after its checksum.");
        }

        return package;
    }

    private static void VerifyChecksum(Stream source, int version, byte[] header, IncrementalHash hash, long length)
    {
        Span<byte> stored = stackalloc byte[HashLength];
        var read = source.ReadAtLeast(stored, HashLength, throwOnEndOfStream: false);
        if (read < HashLength)
        {
            throw new ModelFormatException($"The model file is truncated: {HeaderLength + length + read} of {HeaderLength + length + HashLength} bytes are present.");
        }

        if (!Checksum(version, header, hash.GetHashAndReset()).AsSpan().SequenceEqual(stored))
        {
            throw new ModelFormatException("The model file is corrupt: the SHA-256 of its payload does not match the checksum stored in it.");
        }
    }

    // Returns the format version the written model needs: 2 for factor models and their blends (so replicas on an
    // older release still read them), 3 once an EASE or item-kNN model is inside, 4 for a custom model, 5 for a factor
    // model with an item index (a large catalog).
    private static int WriteModel(BinaryWriter writer, IRecommender model, ModelFormat format)
    {
        switch (model)
        {
            case FactorModel factor:
                return WriteFactor(writer, factor);
            case BlendModel blend:
                writer.Write(blend.SupportCoefficients is null ? BlendKind : SupportBlendKind);
                writer.Write(blend.Algorithm);
                writer.Write(blend.Intercept);
                writer.Write(blend.Components.Count);
                var version = 2;
                if (blend.SupportCoefficients is { } support)
                {
                    WriteArray(writer, support);
                    version = 3;
                }

                for (var k = 0; k < blend.Components.Count; k++)
                {
                    writer.Write(blend.Weights[k]);
                    version = Math.Max(version, WriteModel(writer, blend.Components[k], format));
                }

                return version;
            case EaseModel ease:
                writer.Write(EaseKind);
                writer.Write(ease.Algorithm);
                writer.Write(ease.Parameters);
                WriteFootprint(writer, ease.Training);
                WriteArray(writer, ease.ModelledItems);
                WriteArray(writer, ease.Weights);
                WriteArray(writer, ease.UserOffsets);
                WriteArray(writer, ease.UserColumns);
                return 3;
            case ItemKnnModel knn:
                writer.Write(ItemKnnKind);
                writer.Write(knn.Algorithm);
                writer.Write(knn.Parameters);
                WriteFootprint(writer, knn.Training);
                var parts = knn.Parts;
                writer.Write((byte)parts.Purpose);
                writer.Write(parts.Neighbors);
                writer.Write(parts.Global);
                WriteArray(writer, parts.UserBias);
                WriteArray(writer, parts.ItemBias);
                WriteArray(writer, parts.NeighborOffsets);
                WriteArray(writer, parts.NeighborItems);
                WriteArray(writer, parts.NeighborWeights);
                WriteArray(writer, parts.SeenValues);
                return 3;
            default:
                var serializer = format.WriterFor(model) ?? throw new ArgumentException(
                    $"{model.GetType().Name} is not a model built by Recsys trainers and no registered model serializer writes it; register an IModelSerializer for it with services.AddRecsys().AddModelSerializer<…>().",
                    nameof(model));
                WriteCustom(writer, model, serializer);
                return 4;
        }
    }

    // A custom model: its serializer's format name, then its bytes (buffered once to learn their length).
    private static void WriteCustom(BinaryWriter writer, IRecommender model, IModelSerializer serializer)
    {
        using var buffer = new MemoryStream();
        serializer.Write(model, buffer);
        writer.Write(CustomKind);
        writer.Write(serializer.Format);
        writer.Write(buffer.Length);
        writer.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static IRecommender ReadCustom(BinaryReader reader, ModelFormat format)
    {
        var name = reader.ReadString();
        var length = reader.ReadInt64();
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        if (length < 0 || length > remaining)
        {
            throw new ModelFormatException($"The model file's custom model '{name}' gives a length of {length} bytes, but {remaining} remain.");
        }

        // A custom serializer gets its part as a seekable stream of its own, as it was written.
        var serializer = format.ReaderFor(name);
        var part = new byte[length];
        reader.BaseStream.ReadExactly(part);
        using var slice = new MemoryStream(part, writable: false);
        IRecommender model;
        try
        {
            model = serializer.Read(slice);
        }
        catch (Exception e) when (e is not (ModelFormatException or OperationCanceledException or OutOfMemoryException))
        {
            throw new ModelFormatException($"The model serializer for format '{name}' ({serializer.GetType().Name}) failed to read its model: {e.Message}", e);
        }

        return model ?? throw new ModelFormatException($"The model serializer for format '{name}' ({serializer.GetType().Name}) returned no model.");
    }

    private static IRecommender ReadModel(BinaryReader reader, int version, ModelFormat format, bool trainingItems = true)
    {
        var kind = reader.ReadByte();
        switch (kind)
        {
            case FactorKind when !trainingItems:
                return new PredictionOnlyModel(ReadFactor(reader, version, trainingItems: false));
            case FactorKind:
                return ReadFactor(reader, version);
            case BlendKind:
            case SupportBlendKind when version >= 3:
                var algorithm = reader.ReadString();
                var intercept = reader.ReadDouble();
                var count = ReadCount(reader, 1);
                var support = kind == SupportBlendKind ? ReadArray<double>(reader) : null;
                var weights = new double[count];
                var components = new RecommenderBase[count];
                for (var k = 0; k < count; k++)
                {
                    weights[k] = reader.ReadDouble();
                    components[k] = ReadModel(reader, version, format) as RecommenderBase
                        ?? throw new ModelFormatException("A blend component is not a model.");
                }

                return Consistent(() => new BlendModel(algorithm, intercept, components, weights, support));
            case EaseKind when version >= 3:
                return Consistent(() =>
                {
                    var name = reader.ReadString();
                    var parameters = reader.ReadString();
                    var footprint = ReadFootprint(reader, version);
                    return new EaseModel(name, parameters, footprint, ReadArray<int>(reader), ReadArray<float>(reader), ReadArray<int>(reader), ReadArray<int>(reader));
                });
            case ItemKnnKind when version >= 3:
                return Consistent(() =>
                {
                    var name = reader.ReadString();
                    var parameters = reader.ReadString();
                    var footprint = ReadFootprint(reader, version);
                    var purpose = (ModelPurpose)reader.ReadByte();
                    var neighbors = reader.ReadInt32();
                    var global = reader.ReadDouble();
                    return new ItemKnnModel(name, parameters, footprint, new ItemKnnParts
                    {
                        Purpose = purpose,
                        Neighbors = neighbors,
                        Global = global,
                        UserBias = ReadArray<float>(reader),
                        ItemBias = ReadArray<float>(reader),
                        NeighborOffsets = ReadArray<int>(reader),
                        NeighborItems = ReadArray<int>(reader),
                        NeighborWeights = ReadArray<float>(reader),
                        SeenValues = ReadArray<float>(reader),
                    });
                });
            case CustomKind when version >= 4:
                return ReadCustom(reader, format);
            default:
                throw new ModelFormatException($"The model file holds an unknown model kind {kind}.");
        }
    }

    private static int WriteFactor(BinaryWriter writer, FactorModel model, SeenItems? seen = null)
    {
        var p = model.Parts;
        writer.Write(FactorKind);
        writer.Write(model.Algorithm);
        writer.Write(model.Parameters);
        WriteFootprint(writer, model.Training, seen);
        writer.Write(p.Global);
        writer.Write(p.Rank);
        var flags = (p.UserBias is null ? 0 : 1) | (p.ItemBias is null ? 0 : 2) | (p.NonPersonalized ? 4 : 0) | (p.ClampPredictions ? 8 : 0) | (model.Index is null ? 0 : 16);
        writer.Write((byte)flags);
        if (p.UserBias is not null)
        {
            WriteArray<float>(writer, p.UserBias);
        }

        if (p.ItemBias is not null)
        {
            WriteArray<float>(writer, p.ItemBias);
        }

        WriteArray<float>(writer, p.UserFactors);
        WriteArray<float>(writer, p.ItemFactors);
        WriteArray<float>(writer, p.ColdScores);
        if (model.Index is not { } index)
        {
            return 2;
        }

        // The index as its centroids and the items list by list; its rows are copied from the factors when read.
        writer.Write(index.Probe);
        WriteArray<float>(writer, index.Centroids);
        WriteArray(writer, index.CentroidBias);
        WriteArray(writer, index.ListCounts);
        WriteArray<int>(writer, index.ListItems);
        return 5;
    }

    private static void WriteFootprint(BinaryWriter writer, TrainingFootprint t, SeenItems? seen = null)
    {
        WriteIds(writer, t.Users);
        WriteIds(writer, t.Items);
        writer.Write(t.MinValue);
        writer.Write(t.MaxValue);
        writer.Write(t.MeanValue);
        if (seen is null)
        {
            WriteArray(writer, t.SeenOffsets);
            WriteArray(writer, t.SeenItems);
            return;
        }

        // As WriteArray writes them: the count, then the items as they come.
        WriteArray(writer, seen.Offsets);
        var total = seen.Offsets[^1];
        writer.Write(total);
        long written = 0;
        seen.Write(items =>
        {
            foreach (var item in items)
            {
                if ((uint)item >= (uint)t.Items.Count)
                {
                    throw new InvalidOperationException($"A training item index {item} is outside the model's {t.Items.Count} items.");
                }
            }

            written += items.Length;
            if (written > total)
            {
                throw new InvalidOperationException($"More training items were written than the offsets' {total:N0}.");
            }

            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(items));
        });
        if (written != total)
        {
            throw new InvalidOperationException($"{written:N0} training items were written; the offsets say {total:N0}.");
        }
    }

    private sealed record SeenItems(int[] Offsets, Action<Action<ReadOnlySpan<int>>> Write);

    private static TrainingFootprint ReadFootprint(BinaryReader reader, int version, bool trainingItems = true)
    {
        var users = ReadIds(reader);
        var items = ReadIds(reader);
        var min = reader.ReadSingle();
        var max = reader.ReadSingle();
        var mean = version >= 2 ? reader.ReadDouble() : double.NaN;
        var seenOffsets = ReadArray<int>(reader);
        if (!trainingItems)
        {
            // Read through (the checksum covers them), a slice at a time, and not kept.
            var skip = (long)ReadCount(reader, sizeof(int)) * sizeof(int);
            var scratch = new byte[1 << 20];
            while (skip > 0)
            {
                var n = reader.BaseStream.ReadAtLeast(scratch.AsSpan(0, (int)Math.Min(scratch.Length, skip)), 1, throwOnEndOfStream: false);
                skip -= n > 0 ? n : throw new EndOfStreamException("The training items end past the end of the payload.");
            }

            if (seenOffsets.Length != users.Count + 1)
            {
                throw new ModelFormatException("The model file's training items do not match its users.");
            }

            return new TrainingFootprint(users, items, new int[users.Count + 1], [], min, max, mean);
        }

        var seenItems = ReadArray<int>(reader);
        if (seenOffsets.Length != users.Count + 1 || seenOffsets[0] != 0 || seenOffsets[^1] != seenItems.Length)
        {
            throw new ModelFormatException("The model file's training items do not match its users.");
        }

        for (var u = 0; u < users.Count; u++)
        {
            if (seenOffsets[u] > seenOffsets[u + 1])
            {
                throw new ModelFormatException("The model file's training item offsets are not ascending.");
            }
        }

        foreach (var item in seenItems)
        {
            if ((uint)item >= (uint)items.Count)
            {
                throw new ModelFormatException($"The model file names item index {item}, but has {items.Count} items.");
            }
        }

        return new TrainingFootprint(users, items, seenOffsets, seenItems, min, max, mean);
    }

    private static T Consistent<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException($"The model file's arrays are inconsistent: {e.Message}", e);
        }
    }

    private static FactorModel ReadFactor(BinaryReader reader, int version, bool trainingItems = true)
    {
        var algorithm = reader.ReadString();
        var parameters = reader.ReadString();
        var footprint = ReadFootprint(reader, version, trainingItems);
        var global = reader.ReadDouble();
        var rank = reader.ReadInt32();
        var flags = reader.ReadByte();
        var userBias = (flags & 1) != 0 ? ReadArray<float>(reader) : null;
        var itemBias = (flags & 2) != 0 ? ReadArray<float>(reader) : null;
        var userFactors = ReadArray<float>(reader);
        var itemFactors = ReadArray<float>(reader);
        var coldScores = ReadArray<float>(reader);
        FactorIndex? index = null;
        if ((flags & 16) != 0)
        {
            if (version < 5)
            {
                throw new ModelFormatException($"The model file has format version {version} but a factor model with an item index, which needs version 5.");
            }

            var probe = reader.ReadInt32();
            var centroids = ReadArray<float>(reader);
            var centroidBias = ReadArray<float>(reader);
            var listCounts = ReadArray<int>(reader);
            var listItems = ReadArray<int>(reader);
            index = Consistent(() => FactorIndex.FromParts(rank, centroids, centroidBias, listCounts, listItems, probe, itemFactors, itemBias));
        }

        var parts = new FactorModelParts
        {
            Global = global,
            Rank = rank,
            UserBias = userBias,
            ItemBias = itemBias,
            NonPersonalized = (flags & 4) != 0,
            ClampPredictions = (flags & 8) != 0,
            UserFactors = userFactors,
            ItemFactors = itemFactors,
            ColdScores = coldScores,
            Index = index,
        };
        return Consistent(() => new FactorModel(algorithm, parameters, footprint, parts));
    }

    // Versions 1 and 2 store the SHA-256 of the payload; version 3 the SHA-256 of the header followed by that hash, so
    // that a flipped version or length field is caught too.
    private static byte[] Checksum(int version, ReadOnlySpan<byte> header, byte[] payloadHash)
    {
        if (version < 3)
        {
            return payloadHash;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header);
        hash.AppendData(payloadHash);
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// A model file's payload as it streams from its source: exactly its length in bytes, through a 64 KiB buffer (the
    /// many small fields cost no call to the source each), hashed as it is fetched. Length and Position are the
    /// payload's, so counts are checked against what remains; a source that ends early is a truncated file.
    /// </summary>
    private sealed class PayloadStream(Stream source, long length, IncrementalHash hash) : Stream
    {
        private readonly byte[] _buffer = new byte[Math.Min(1 << 16, Math.Max(1, length))];
        private int _start;
        private int _end;
        private long _fetched;
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            if (destination.Length > length - _position)
            {
                destination = destination[..(int)(length - _position)];
            }

            if (destination.IsEmpty)
            {
                return 0;
            }

            if (_start == _end)
            {
                if (destination.Length >= _buffer.Length)
                {
                    var direct = Fetch(destination);
                    _position += direct;
                    return direct;
                }

                _start = 0;
                _end = Fetch(_buffer.AsSpan(0, (int)Math.Min(_buffer.Length, length - _fetched)));
            }

            var n = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(destination);
            _start += n;
            _position += n;
            return n;
        }

        public override int ReadByte()
        {
            Span<byte> one = stackalloc byte[1];
            return Read(one) == 0 ? -1 : one[0];
        }

        /// <summary>Reads (and hashes) what is left of the payload.</summary>
        public void Drain()
        {
            Span<byte> sink = stackalloc byte[4096];
            while (Read(sink) > 0)
            {
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Fetch(Span<byte> into)
        {
            var read = source.Read(into);
            if (read == 0)
            {
                throw new ModelFormatException($"The model file is truncated: {HeaderLength + _fetched} of {HeaderLength + length + HashLength} bytes are present.");
            }

            hash.AppendData(into[..read]);
            _fetched += read;
            return read;
        }
    }

    /// <summary>Forwards writes to a stream while hashing and counting them.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        private long _written;

        public byte[] Finish() => _hash.GetHashAndReset();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
            _written += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void WriteByte(byte value) => Write([value]);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private static void WriteMetadata(BinaryWriter writer, ItemMetadata? metadata)
    {
        writer.Write(metadata is null ? -1 : metadata.Count);
        if (metadata is null)
        {
            return;
        }

        foreach (var (id, attributes) in metadata.Entries)
        {
            writer.Write(id);
            writer.Write(attributes.Title);
            writer.Write(attributes.Genres.Count);
            foreach (var genre in attributes.Genres)
            {
                writer.Write(genre);
            }
        }
    }

    private static ItemMetadata? ReadMetadata(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count == -1)
        {
            return null;
        }

        count = CheckCount(reader, count, 3);
        var items = new List<KeyValuePair<string, ItemAttributes>>(count);
        for (var k = 0; k < count; k++)
        {
            var id = reader.ReadString();
            var title = reader.ReadString();
            var genres = new string[ReadCount(reader, 1)];
            for (var g = 0; g < genres.Length; g++)
            {
                genres[g] = reader.ReadString();
            }

            items.Add(new(id, new ItemAttributes(title, genres)));
        }

        return new ItemMetadata(items);
    }

    private static void WriteIds(BinaryWriter writer, IdMap ids)
    {
        writer.Write(ids.Count);
        foreach (var id in ids)
        {
            writer.Write(id);
        }
    }

    private static IdMap ReadIds(BinaryReader reader)
    {
        var ids = new string[ReadCount(reader, 2)];
        for (var k = 0; k < ids.Length; k++)
        {
            ids[k] = reader.ReadString();
        }

        return IdMap.Create(ids);
    }

    private static void WriteArray<T>(BinaryWriter writer, T[] values)
        where T : unmanaged => WriteArray(writer, (ReadOnlySpan<T>)values);

    // Arrays move in slices of at most 2^26 elements: the bytes of a whole array of a billion ratings' items (4 GB)
    // are more than one span can address, and MemoryMarshal.AsBytes of it overflowed.
    private const int ArraySlice = 1 << 26;

    private static void WriteArray<T>(BinaryWriter writer, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        writer.Write(values.Length);
        for (var start = 0; start < values.Length; start += ArraySlice)
        {
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.Slice(start, Math.Min(ArraySlice, values.Length - start))));
        }
    }

    private static T[] ReadArray<T>(BinaryReader reader)
        where T : unmanaged
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var values = new T[ReadCount(reader, size)];
        for (var start = 0; start < values.Length; start += ArraySlice)
        {
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan(start, Math.Min(ArraySlice, values.Length - start)));
            if (reader.BaseStream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
            {
                throw new EndOfStreamException("An array ends past the end of the payload.");
            }
        }

        return values;
    }

    private static int ReadCount(BinaryReader reader, int minBytesEach) => CheckCount(reader, reader.ReadInt32(), minBytesEach);

    private static int CheckCount(BinaryReader reader, int count, int minBytesEach)
    {
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        if (count < 0 || (long)count * minBytesEach > remaining)
        {
            throw new ModelFormatException($"The model file gives a count of {count}, more than its remaining {remaining} bytes can hold.");
        }

        return count;
    }
}
