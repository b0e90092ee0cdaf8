using System.Globalization;

namespace Recsys.Data.Internal.Columnar;

// Turns scanned batches (user, item, value?, timestamp? columns) into interactions, with the bad-row policy of the
// delimited reader: a bad row either stops the read (naming file, row group and row) or is skipped and counted.
// Integer ids are interned through a long -> index map, so no string is made per row.
// Rows go to a dataset's builder or, for training beyond memory, to a spool on disk.
internal sealed class InteractionBatchReader(BadRowPolicy badRows, float defaultValue, RatingScale? scale, int capacity, bool timestamps, IProgress<long>? progress = null, InteractionSpool? spool = null)
{
    private readonly InteractionDatasetBuilder? _builder = spool is null ? new(capacity, timestamps, levels: true) : null;
    private readonly NumericIds _numericUsers = new();
    private readonly NumericIds _numericItems = new();
    private readonly List<SkippedRow> _skipped = [];
    private long _skippedCount;
    private long _rowsRead;

    private int _valueColumn = -1;
    private int _timestampColumn = -1;

    // The scan's columns are user, item, then value and timestamp when present. Row groups whose id columns are int32,
    // value column float and timestamp column int64 are decoded straight into the builder's columns, at their row's
    // place in the scan: Add then overwrites them from the front (row r is written at Count <= r, after it is read),
    // so the builder needs room for every row of the source (its capacity, from the files' footers) and no second copy
    // of the data is made.
    public async Task ReadAsync(Func<ScanDestination, IAsyncEnumerable<ScanBatch>> scan, bool hasValue, bool hasTimestamp, CancellationToken cancellationToken)
    {
        _valueColumn = hasValue ? 2 : -1;
        _timestampColumn = hasTimestamp ? (hasValue ? 3 : 2) : -1;
        await foreach (var batch in scan(Lend).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var users = batch.Columns[0];
            var items = batch.Columns[1];
            var values = hasValue ? batch.Columns[2] : null;
            var timestamps = hasTimestamp ? batch.Columns[hasValue ? 3 : 2] : null;
            for (var row = 0; row < batch.RowCount; row++)
            {
                if (batch.Deleted?[row] == true)
                {
                    continue;
                }

                _rowsRead++;
                var error = TryAdd(users, items, values, timestamps, row);
                if (error is null)
                {
                    continue;
                }

                // Rows are counted from 0 in the file (what pyarrow and DuckDB's file_row_number say), and within the row group.
                var where = string.Create(CultureInfo.InvariantCulture, $"{batch.File}, row {batch.FirstRow + row} (row {row} of row group {batch.RowGroup})");
                if (badRows == BadRowPolicy.Fail)
                {
                    throw new InteractionDataException($"{where}: {error}");
                }

                _skippedCount++;
                if (_skipped.Count < InteractionReadResult.MaxListedSkippedRows)
                {
                    _skipped.Add(new SkippedRow(batch.FirstRow + row + 1, $"{where}: {error}"));
                }
            }

            progress?.Report(_rowsRead);
        }
    }

    private ColumnVector? Lend(int column, ValueKind kind, long scanRow, int count)
    {
        if (_builder is null || scanRow + count > _builder.Capacity)
        {
            return null;
        }

        Array? target = column == 0 ? _builder.UserColumn
            : column == 1 ? _builder.ItemColumn
            : column == _valueColumn ? _builder.ValueColumn
            : column == _timestampColumn ? _builder.TimestampColumn
            : null;
        return target is null ? null : ColumnVector.Borrow(kind, target, (int)scanRow, count);
    }

    /// <summary>The rows read, skipped and the first skipped rows, when the rows went to a spool.</summary>
    public (long Read, long Skipped, IReadOnlyList<SkippedRow> FirstSkipped) Counts => (_rowsRead, _skippedCount, _skipped);

    public InteractionReadResult Finish(string source, long? version) => new()
    {
        Dataset = (_builder ?? throw new InvalidOperationException("The rows went to a spool.")).BuildAndClear(),
        Source = source,
        RowsRead = _rowsRead,
        RowsSkipped = _skippedCount,
        FirstSkippedRows = _skipped,
        SourceVersion = version,
    };

    // The kinds each role accepts; checked once per source, before any row is read.
    public static string? CheckKinds(ValueKind user, ValueKind item, ValueKind? value, ValueKind? timestamp)
    {
        static bool IsId(ValueKind k) => k is ValueKind.Byte or ValueKind.Short or ValueKind.Int or ValueKind.Long or ValueKind.UnsignedLong or ValueKind.String;
        if (!IsId(user))
        {
            return $"the user column is {ParquetColumns.TypeName(user)}; ids must be integers or strings";
        }

        if (!IsId(item))
        {
            return $"the item column is {ParquetColumns.TypeName(item)}; ids must be integers or strings";
        }

        if (value is { } v && v is not (ValueKind.Byte or ValueKind.Short or ValueKind.Int or ValueKind.Long or ValueKind.UnsignedLong or ValueKind.Float or ValueKind.Double or ValueKind.Decimal))
        {
            return $"the value column is {ParquetColumns.TypeName(v)}; values must be numbers (integer, float, double or decimal)";
        }

        if (timestamp is { } t && t is not (ValueKind.Int or ValueKind.Long or ValueKind.Timestamp or ValueKind.TimestampNtz or ValueKind.Date))
        {
            return $"the timestamp column is {ParquetColumns.TypeName(t)}; timestamps must be whole seconds since the Unix epoch (integer or long), a timestamp or a date";
        }

        return null;
    }

    private string? TryAdd(ColumnVector users, ColumnVector items, ColumnVector? values, ColumnVector? timestamps, int row)
    {
        if (users.IsNull(row))
        {
            return "the user id is null";
        }

        if (items.IsNull(row))
        {
            return "the item id is null";
        }

        // What the delimited reader says of an empty field; the dataset refuses an empty id.
        if (users.Strings is { } userNames && string.IsNullOrEmpty(userNames[users.Offset + row]))
        {
            return "the user id is empty";
        }

        if (items.Strings is { } itemNames && string.IsNullOrEmpty(itemNames[items.Offset + row]))
        {
            return "the item id is empty";
        }

        var value = defaultValue;
        if (values is not null)
        {
            if (values.IsNull(row))
            {
                return "the value is null";
            }

            value = values.GetSingle(row);
            if (!float.IsFinite(value))
            {
                return string.Create(CultureInfo.InvariantCulture, $"the value {value} is not a finite number");
            }

            if (scale is not null && !scale.Contains(value))
            {
                return string.Create(CultureInfo.InvariantCulture, $"the rating {value} is outside the scale {scale}");
            }
        }

        long timestamp = 0;
        if (timestamps is not null && !timestamps.IsNull(row))
        {
            var raw = timestamps.GetInt64(row);
            timestamp = timestamps.Kind switch
            {
                ValueKind.Timestamp or ValueKind.TimestampNtz => Math.DivRem(raw, 1_000_000).Quotient - (raw % 1_000_000 < 0 ? 1 : 0),
                ValueKind.Date => raw * 86_400,
                _ => raw,
            };
        }

        var user = Intern(users, row, _numericUsers, isUser: true);
        var item = Intern(items, row, _numericItems, isUser: false);
        if (_builder is not null)
        {
            _builder.Add(user, item, value, timestamp);
        }
        else
        {
            spool!.Add(user, item, value);
        }

        return null;
    }

    private int Intern(ColumnVector ids, int row, NumericIds numeric, bool isUser)
    {
        if (ids.Strings is { } strings)
        {
            var name = strings[ids.Offset + row];
            return AddId(name, isUser);
        }

        var id = ids.GetInt64(row);
        if (numeric.TryGet(id, out var index))
        {
            return index;
        }

        Span<char> text = stackalloc char[20];
        var written = 0;
        _ = ids.Kind == ValueKind.UnsignedLong
            ? unchecked((ulong)id).TryFormat(text, out written, provider: CultureInfo.InvariantCulture)
            : id.TryFormat(text, out written, provider: CultureInfo.InvariantCulture);
        index = AddId(text[..written], isUser);
        numeric.Add(id, index);
        return index;
    }

    // Direct calls on the two sealed destinations (a billion rows make three interface calls a row count).
    private int AddId(ReadOnlySpan<char> id, bool isUser) => _builder is not null
        ? (isUser ? _builder.AddUser(id) : _builder.AddItem(id))
        : (isUser ? spool!.AddUser(id) : spool!.AddItem(id));

    // Integer id -> builder index: the last id seen (rows usually come grouped by user), then a dense array for ids
    // in [0, 2^24) (index + 1; 0 = unseen), then a dictionary for the rest.
    private sealed class NumericIds
    {
        private const long DenseLimit = 1 << 24;
        private readonly Dictionary<long, int> _sparse = [];
        private int[] _dense = new int[1024];
        private long _lastId = -1;
        private int _lastIndex = -1;

        public bool TryGet(long id, out int index)
        {
            if (id == _lastId)
            {
                index = _lastIndex;
                return true;
            }

            if ((ulong)id < DenseLimit ? id < _dense.Length && _dense[id] > 0 : _sparse.ContainsKey(id))
            {
                index = (ulong)id < DenseLimit ? _dense[id] - 1 : _sparse[id];
                (_lastId, _lastIndex) = (id, index);
                return true;
            }

            index = -1;
            return false;
        }

        public void Add(long id, int index)
        {
            if ((ulong)id < DenseLimit)
            {
                if (id >= _dense.Length)
                {
                    Array.Resize(ref _dense, (int)Math.Min(DenseLimit, Math.Max(id + 1, 2L * _dense.Length)));
                }

                _dense[id] = index + 1;
            }
            else
            {
                _sparse[id] = index;
            }

            (_lastId, _lastIndex) = (id, index);
        }
    }
}
