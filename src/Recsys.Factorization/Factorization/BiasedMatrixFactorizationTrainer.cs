using Recsys.Baselines;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// Biased matrix factorization <c>r̂ = μ + b_u + b_i + p_u · q_i</c> trained by stochastic gradient descent, as
/// Funk/Koren's SVD and LIBMF.
/// </summary>
/// <remarks>
/// <para>The rating matrix is cut into G×G blocks of user and item groups; each epoch runs G rounds in which the
/// threads update G blocks that share no user and no item (stratified SGD, as LIBMF's FPSG and Gemulla's DSGD), so no
/// update conflicts. The blocks are runs of the dataset's own rows: training copies no rating. The schedule is fixed,
/// so results depend only on the seed and the thread count; one thread gives bit-identical results for a seed.</para>
/// <para>The inner loop uses SIMD vectors over factor rows padded to the vector width. The learning rate decays
/// geometrically; with <see cref="MatrixFactorizationOptions.ValidationFraction"/> set, training stops when the
/// validation RMSE has not improved for <see cref="MatrixFactorizationOptions.Patience"/> epochs and keeps the best epoch.</para>
/// </remarks>
public sealed class BiasedMatrixFactorizationTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name, <c>biased-mf</c>.</summary>
    public const string Name = "biased-mf";

    private readonly MatrixFactorizationOptions _options;

    /// <summary>Initializes a new instance of the <see cref="BiasedMatrixFactorizationTrainer"/> class with default options.</summary>
    public BiasedMatrixFactorizationTrainer()
        : this(new MatrixFactorizationOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BiasedMatrixFactorizationTrainer"/> class.</summary>
    /// <param name="options">The settings; validated here.</param>
    public BiasedMatrixFactorizationTrainer(MatrixFactorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Algorithm => Name;

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        var o = _options;
        var users = training.Users.Count;
        var items = training.Items.Count;
        var stride = SgdKernel.Stride(o.Rank);
        var (trainRows, validationRows, trainCount) = SgdSetup.SplitRows(training, o.ValidationFraction, o.Seed);

        var mean = SgdSetup.Mean(training, trainRows);
        var state = new SgdState(users, items, stride, o.Rank, o.InitialStandardDeviation, o.Seed);
        var grid = new SgdGrid(training, validationRows, o.EffectiveThreads, stride, o.Seed);
        var ratings = new Ratings(training);
        var best = new EarlyStopping(o.Patience);
        var learningRate = (float)o.LearningRate;
        var mu = (float)mean;
        var regularization = (float)o.Regularization;
        var biasRegularization = (float)o.BiasRegularization;

        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rate = learningRate;
            var squaredError = grid.RunEpoch(epoch, (userGroup, itemGroup) => RunBlock(grid, userGroup, itemGroup, ratings, state, stride, mu, rate, regularization, biasRegularization));
            learningRate *= (float)o.LearningRateDecay;
            progress?.Report(new TrainingProgress(Name, epoch + 1, o.Epochs, Math.Sqrt(squaredError / trainCount)));

            if (validationRows.Length > 0)
            {
                var rmse = SgdSetup.ValidationRmse(training, validationRows, (u, i) => mu + state.UserBias[u] + state.ItemBias[i] + Dot(state, stride, u, i));
                if (best.Observe(rmse, state))
                {
                    break;
                }
            }
        }

        var final = best.Best ?? state;
        return final.ToModel(Name, TrainerParameters.ToJson(o), training, mean);
    }

    /// <summary>
    /// The bytes a fit's factors and biases take for <paramref name="users"/> users and <paramref name="items"/> items
    /// (factor rows padded to the SIMD width): what training from disk holds besides the ids and a block a thread.
    /// </summary>
    /// <param name="users">The users.</param>
    /// <param name="items">The items.</param>
    /// <returns>The bytes.</returns>
    public long FactorBytes(int users, int items) =>
        ((long)users + items) * ((SgdKernel.Stride(_options.Rank) * sizeof(float)) + sizeof(float));

    /// <summary>
    /// Trains on ratings spooled to disk (<c>InteractionSource.SpoolAsync</c>) and writes the model file, holding in
    /// memory only the factors, the ids and one block of the rating matrix a thread: training beyond memory, as
    /// LIBMF's <c>--disk</c> mode. The rows are sorted once into G × G block files (8 bytes a rating, in a new folder
    /// beside the spool's, deleted at the end) cut as <see cref="Fit"/> cuts its blocks, and each epoch reads them in
    /// the same stratified schedule: on the same ratings (ids in the same order, as reading the same source gives) it
    /// makes <see cref="Fit"/>'s updates in the same order, and writes the file <see cref="Fit"/>'s model makes, byte
    /// for byte.
    /// </summary>
    /// <param name="ratings">The spooled ratings; left as they are (dispose the spool to delete them).</param>
    /// <param name="path">The model file to write, replaced: the same file <see cref="ModelFile.Save(string, IRecommender, ItemMetadata?)"/> writes for a model trained in memory.</param>
    /// <param name="itemMetadata">Item titles and genres to keep in the file, or <see langword="null"/>.</param>
    /// <param name="progress">Receives each epoch's training RMSE, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops training between blocks.</param>
    /// <returns>
    /// The statistics of the fit and a model that predicts as the file's does, for scoring held-out ratings. It lacks
    /// the users' training items, which only the file holds: its <see cref="IRecommender.Recommend"/> throws; load
    /// the file to recommend.
    /// </returns>
    /// <exception cref="NotSupportedException"><see cref="MatrixFactorizationOptions.ValidationFraction"/> is set: early stopping needs a validation slice in memory.</exception>
    /// <exception cref="ArgumentException">The spool holds no ratings.</exception>
    public OutOfCoreFit FitToFile(InteractionSpool ratings, string path, ItemMetadata? itemMetadata = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var o = _options;
        if (o.ValidationFraction > 0)
        {
            throw new NotSupportedException($"Training from disk runs every epoch: ValidationFraction {o.ValidationFraction} needs a validation slice in memory for early stopping; set it to 0.");
        }

        if (ratings.Count == 0)
        {
            throw new ArgumentException($"The spool of '{ratings.Source}' holds no ratings.", nameof(ratings));
        }

        var users = ratings.Users.Count;
        var items = ratings.Items.Count;
        var stride = SgdKernel.Stride(o.Rank);
        var parent = Path.GetDirectoryName(ratings.Directory) ?? ratings.Directory;
        using var grid = SgdDiskGrid.Build(ratings, parent, o.EffectiveThreads, stride, o.Seed, cancellationToken);
        var mean = grid.Sum / grid.Count;
        var state = new SgdState(users, items, stride, o.Rank, o.InitialStandardDeviation, o.Seed);
        var block = new DiskBlock(state, stride, (float)mean, (float)o.LearningRate, (float)o.Regularization, (float)o.BiasRegularization);
        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var squaredError = grid.RunEpoch(epoch, (userGroup, itemGroup) => grid.RunBlock(userGroup, itemGroup, block, DiskBlock.Run));
            block.LearningRate *= (float)o.LearningRateDecay;
            progress?.Report(new TrainingProgress(Name, epoch + 1, o.Epochs, Math.Sqrt(squaredError / grid.Count)));
        }

        var seenOffsets = new int[users + 1];
        long total = 0;
        for (var u = 0; u < users; u++)
        {
            total += grid.SeenCounts[u];
            seenOffsets[u + 1] = total <= int.MaxValue ? (int)total : throw new InvalidOperationException($"{total:N0} distinct ratings are more than a model file's training items hold ({int.MaxValue:N0}).");
        }

        // The model object keeps no training items: the file gets them from the block files, user group by user group.
        var footprint = new TrainingFootprint(ratings.Users, ratings.Items, new int[users + 1], [], grid.MinValue, grid.MaxValue, mean);
        var model = state.ToModel(Name, TrainerParameters.ToJson(o), footprint, mean);
        ModelFile.Save(path, model, seenOffsets, write => grid.WriteSeen(write, cancellationToken), itemMetadata);
        return new OutOfCoreFit(new PredictionOnlyModel(model), grid.Count, grid.DuplicatesDropped, grid.Groups, grid.MaxBlockBytes);
    }

    /// <summary>One pass over a block, user by user, each user's row of factors reused across its run of ratings: the hot loop, with every array in a local.</summary>
    private static double RunBlock(SgdGrid grid, int userGroup, int itemGroup, Ratings ratings, SgdState state, int stride, float mu, float rate, float regularization, float biasRegularization)
    {
        var p = state.P;
        var q = state.Q;
        var userBias = state.UserBias;
        var itemBias = state.ItemBias;
        var items = ratings.Items;
        var levels = ratings.Levels;
        var rowLevels = ratings.RowLevels;
        var values = ratings.Values;
        var excluded = grid.Excluded;
        var sum = 0.0;
        var (first, last) = grid.Users(userGroup);
        for (var user = first; user < last; user++)
        {
            var (start, end) = grid.Rows(user, itemGroup);
            if (start == end)
            {
                continue;
            }

            var pu = p.AsSpan(user * stride, stride);
            ref var bu = ref userBias[user];
            for (var row = start; row < end; row++)
            {
                if (excluded is not null && (excluded[row >> 6] & (1UL << row)) != 0)
                {
                    continue;
                }

                var item = items[row];
                var rating = rowLevels is not null ? levels![rowLevels[row]] : values![row];
                var error = SgdKernel.UpdateBiased(pu, q.AsSpan(item * stride, stride), ref bu, ref itemBias[item], mu, rating, rate, regularization, biasRegularization);
                sum += error * error;
            }
        }

        return sum;
    }

    // A disk block's segments, run as RunBlock runs a block in memory.
    private sealed class DiskBlock(SgdState state, int stride, float mu, float learningRate, float regularization, float biasRegularization)
    {
        public float LearningRate { get; set; } = learningRate;

        private SgdState State { get; } = state;

        private int Stride { get; } = stride;

        private float Mu { get; } = mu;

        private float Regularization { get; } = regularization;

        private float BiasRegularization { get; } = biasRegularization;

        public static double Run(DiskBlock b, int firstUser, ReadOnlySpan<int> counts, ReadOnlySpan<int> items, ReadOnlySpan<float> values)
        {
            var (p, q, userBias, itemBias, stride) = (b.State.P, b.State.Q, b.State.UserBias, b.State.ItemBias, b.Stride);
            var (mu, rate, regularization, biasRegularization) = (b.Mu, b.LearningRate, b.Regularization, b.BiasRegularization);
            var sum = 0.0;
            var row = 0;
            for (var u = 0; u < counts.Length; u++)
            {
                var end = row + counts[u];
                if (row == end)
                {
                    continue;
                }

                var user = firstUser + u;
                var pu = p.AsSpan(user * stride, stride);
                ref var bu = ref userBias[user];
                for (; row < end; row++)
                {
                    var item = items[row];
                    var error = SgdKernel.UpdateBiased(pu, q.AsSpan(item * stride, stride), ref bu, ref itemBias[item], mu, values[row], rate, regularization, biasRegularization);
                    sum += error * error;
                }
            }

            return sum;
        }
    }

    private static float Dot(SgdState state, int stride, int user, int item) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(state.P.AsSpan(user * stride, stride), state.Q.AsSpan(item * stride, stride));

    // The dataset's items and values as arrays: its levels and a byte a row when it keeps them so (nothing is copied),
    // else its float values.
    private sealed class Ratings
    {
        public Ratings(InteractionDataset data)
        {
            Items = data.SharedUserItems.RowItems;
            if (data.ValueLevels is { } levels)
            {
                (Levels, RowLevels) = levels;
            }
            else
            {
                Values = data.RowValueArray;
            }
        }

        public int[] Items { get; }

        public float[]? Levels { get; }

        public byte[]? RowLevels { get; }

        public float[]? Values { get; }
    }
}
