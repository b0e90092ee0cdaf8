using Recsys.Baselines;
using Recsys.Data;
using Recsys.Numerics;
using Recsys.Recommenders;

namespace Recsys.Neighborhood;

/// <summary>
/// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): the closed-form item-item model
/// B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹ over the binary user-item matrix X, diag(B) = 0. A user's scores
/// are the sum of the rows of B for the items they interacted with. A top-N model.
/// </summary>
/// <remarks>
/// The model is dense in the items (4·n² bytes), so only items with at least <see cref="EaseOptions.MinItemSupport"/>
/// positives get a row, and more than <see cref="EaseOptions.MaxItems"/> of them is refused with the memory figure.
/// The inverse is a blocked SIMD sweep (<c>SymmetricInverse</c>), measured against MathNet.Numerics in
/// <c>EaseBenchmarks</c>.
/// </remarks>
public sealed class EaseTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name.</summary>
    public const string Name = "ease";

    private readonly EaseOptions _options;

    /// <summary>Initializes a new instance of the <see cref="EaseTrainer"/> class with the default options.</summary>
    public EaseTrainer()
        : this(new EaseOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EaseTrainer"/> class.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is out of range.</exception>
    public EaseTrainer(EaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Algorithm => Name;

    /// <summary>Gets the bytes the dense matrix of <paramref name="items"/> modelled items takes (held once while training and in the model).</summary>
    /// <param name="items">The number of modelled items.</param>
    /// <returns>4·n² bytes.</returns>
    public static long MatrixBytes(int items) => 4L * items * items;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The training data is empty, no item has enough positives, or more than <see cref="EaseOptions.MaxItems"/> items do.</exception>
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        var threshold = _options.PositiveThreshold;
        var support = new int[training.Items.Count];
        var values = training.RowValues;
        var rowItems = training.RowItems;
        for (var row = 0; row < rowItems.Length; row++)
        {
            if (threshold is null || values[row] >= threshold)
            {
                support[rowItems[row]]++;
            }
        }

        var column = new int[support.Length];
        var modelled = new List<int>();
        for (var i = 0; i < support.Length; i++)
        {
            column[i] = support[i] >= _options.MinItemSupport ? modelled.Count : -1;
            if (column[i] >= 0)
            {
                modelled.Add(i);
            }
        }

        var n = modelled.Count;
        if (n == 0)
        {
            throw new ArgumentException($"No item has {_options.MinItemSupport} or more positives{Positives()}; EASE has nothing to model (lower MinItemSupport).", nameof(training));
        }

        if (n > _options.MaxItems)
        {
            throw new ArgumentException(
                $"EASE would model {n:N0} items (those with {_options.MinItemSupport} or more positives{Positives()}); its dense item × item matrix " +
                $"would need {Bytes(MatrixBytes(n))}, above MaxItems = {_options.MaxItems:N0} ({Bytes(MatrixBytes(_options.MaxItems))}). " +
                "Raise MinItemSupport to model fewer items, or MaxItems if the machine has the memory.",
                nameof(training));
        }

        // Each user's modelled positives, as matrix columns.
        var users = training.Users.Count;
        var offsets = new int[users + 1];
        var columns = new List<int>(training.Count);
        for (var u = 0; u < users; u++)
        {
            var items = training.GetUserItems(u);
            var userValues = training.GetUserValues(u);
            for (var k = 0; k < items.Length; k++)
            {
                if ((threshold is null || userValues[k] >= threshold) && column[items[k]] >= 0)
                {
                    columns.Add(column[items[k]]);
                }
            }

            offsets[u + 1] = columns.Count;
        }

        var userColumns = columns.ToArray();
        var matrix = new float[checked(n * n)];
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.Threads == 0 ? Environment.ProcessorCount : _options.Threads,
            CancellationToken = cancellationToken,
        };

        // G = XᵀX, one row per modelled item, rows filled in parallel (each row is written by one thread). The by-item
        // index is built here, once, rather than raced for by the threads.
        _ = training.ItemOffsets;
        Parallel.For(0, n, parallel, a =>
        {
            var item = modelled[a];
            var itemUsers = training.GetItemUsers(item);
            var itemValues = training.GetItemValues(item);
            var row = matrix.AsSpan(a * n, n);
            for (var k = 0; k < itemUsers.Length; k++)
            {
                if (threshold is not null && itemValues[k] < threshold)
                {
                    continue;
                }

                var u = itemUsers[k];
                foreach (var b in userColumns.AsSpan(offsets[u], offsets[u + 1] - offsets[u]))
                {
                    row[b] += 1f;
                }
            }

            row[a] += (float)_options.Regularization;
        });
        progress?.Report(new TrainingProgress(Name, 1, 3, double.NaN));

        if (!SymmetricInverse.InvertInPlace(matrix, n, parallel.MaxDegreeOfParallelism, cancellationToken))
        {
            throw new InvalidOperationException("The regularized item Gram matrix is not positive definite; raise Regularization.");
        }

        progress?.Report(new TrainingProgress(Name, 2, 3, double.NaN));

        // B[i, j] = -P[i, j] / P[j, j], B[j, j] = 0.
        var scale = new float[n];
        for (var j = 0; j < n; j++)
        {
            scale[j] = -1f / matrix[(j * n) + j];
        }

        Parallel.For(0, n, parallel, i =>
        {
            var row = matrix.AsSpan(i * n, n);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, scale, row);
            row[i] = 0f;
        });
        progress?.Report(new TrainingProgress(Name, 3, 3, double.NaN));

        return new EaseModel(Name, TrainerParameters.ToJson(_options), TrainingFootprint.From(training), [.. modelled], matrix, offsets, userColumns);
    }

    private string Positives() => _options.PositiveThreshold is { } t ? $" (values ≥ {t})" : string.Empty;

    private static string Bytes(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / (double)(1L << 20):F0} MiB";
}
