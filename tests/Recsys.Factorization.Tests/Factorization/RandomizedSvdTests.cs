using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra.Double;
using Recsys.Data;

namespace Recsys.Factorization.Tests.Factorization;

public sealed class RandomizedSvdTests
{
    /// <summary>The top singular values match MathNet's dense SVD of the same (zero-filled) matrix.</summary>
    [Property(MaxTest = 25)]
    public bool Compute_SmallRandomMatrix_SingularValuesMatchDenseSvd(ushort seed, byte rowsByte, byte columnsByte)
    {
        var rows = 8 + (rowsByte % 40);
        var columns = 8 + (columnsByte % 40);
        var data = new SyntheticDataGenerator(new SyntheticDataOptions
        {
            Seed = seed,
            Users = rows,
            Items = columns,
            Interactions = rows * columns / 3,
        }).GenerateDataset();
        var sparse = TruncatedSvdTrainer.ToSparse(data, new double[data.Users.Count]);
        var dense = DenseMatrix.Create(data.Users.Count, data.Items.Count, 0);
        for (var row = 0; row < data.Count; row++)
        {
            dense[data.RowUsers[row], data.RowItems[row]] = data.RowValues[row];
        }

        var expected = dense.Svd(computeVectors: false).S;
        var rank = Math.Min(5, Math.Min(data.Users.Count, data.Items.Count));
        var (_, s, _) = RandomizedSvd.Compute(sparse, rank, 10, 7, seed, CancellationToken.None);

        for (var j = 0; j < rank; j++)
        {
            if (Math.Abs(s[j] - expected[j]) > 1e-3 * expected[j])
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void Compute_FactorsAreOrthonormal()
    {
        var data = TestDatasets.Synthetic(3, 29, 39, 14);
        var sparse = TruncatedSvdTrainer.ToSparse(data, new double[data.Users.Count]);

        var (u, _, v) = RandomizedSvd.Compute(sparse, 6, 10, 5, 1, CancellationToken.None);

        var identity = DenseMatrix.CreateIdentity(6);
        Assert.True((u.TransposeThisAndMultiply(u) - identity).FrobeniusNorm() < 1e-8);
        Assert.True((v.TransposeThisAndMultiply(v) - identity).FrobeniusNorm() < 1e-8);
    }
}
