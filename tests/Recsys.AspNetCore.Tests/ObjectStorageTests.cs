using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Recsys.Data;
using Recsys.Registry;
using Recsys.Tests.Shared;
using Services = Recsys.Tests.Shared.TestEnvironment;

namespace Recsys.AspNetCore.Tests;

/// <summary>
/// The lakehouse setup end to end on Azurite: a Delta table in blob storage, two web replicas on one PostgreSQL
/// registry whose artifacts live in blob storage; the first start bootstraps from the table, both serve the version.
/// </summary>
public sealed class ObjectStorageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoReplicas_BootstrapFromADeltaTableInBlobStorage_AndServeAnArtifactKeptThere()
    {
        Services.RequirePostgres();
        Azurite.UseForAzUrls();
        var data = Azurite.NewContainer();
        var artifacts = Azurite.NewContainer();
        var schema = Services.NewSchema();
        var work = Directory.CreateTempSubdirectory("recsys-lakehouse-");
        try
        {
            // A two-version Delta table of synthetic ratings (version 1 removed a third of the rows), uploaded.
            var csv = Path.Combine(work.FullName, "ratings.csv");
            await using (var writer = File.CreateText(csv))
            {
                new SyntheticDataGenerator(new SyntheticDataOptions { Users = 300, Items = 400, Interactions = 15_000 }).WriteCsv(writer, cancellationToken: Ct);
            }

            var table = await DeltaTestTables.WriteRatingsAsync(csv, Path.Combine(work.FullName, "table"), Ct);
            await Azurite.UploadAsync(data, table.Path, "ratings", Ct);
            var url = $"az://{data.Name}/ratings";
            Assert.Equal((DataSourceKind.Delta, 1L, (long)table.Latest.Count()), await DescribeAsync(url));

            var connection = new NpgsqlConnectionStringBuilder(Services.PostgresConnectionString) { SearchPath = schema }.ToString();
            var hosts = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => ServingHost.StartAsync(
                b => b.UsePostgreSql(connection, o => o.Artifacts = new AzureBlobArtifactStore(artifacts)),
                bootstrap: o =>
                {
                    o.DataPath = url;
                    o.Companions.Clear(); // the sample appsettings.json beside the tests names svd, nmf and hybrid
                })));
            try
            {
                var stats = await hosts[0].Services.GetRequiredService<IRecommendationService>().GetStatsAsync(Ct);
                Assert.True(stats.Model is not null, $"nothing is served: {stats.LastError}");
                var version = Assert.Single(await hosts[0].Registry.ListVersionsAsync(TestModels.Model, Ct));
                Assert.Equal(ModelStage.Production, version.Stage);
                Assert.Contains(url, version.Lineage!.DataSource, StringComparison.Ordinal);
                Assert.Equal(1L, version.Lineage.DataVersion);
                Assert.Equal((long)table.Latest.Count(), version.Lineage.Rows);

                // The artifact is a blob, not a database row.
                var blobs = new List<string>();
                await foreach (var blob in artifacts.GetBlobsAsync(cancellationToken: Ct))
                {
                    blobs.Add(blob.Name);
                }

                Assert.Equal([$"sha256/{version.ArtifactSha256[..2]}/{version.ArtifactSha256}"], blobs);
                await using (var database = new NpgsqlConnection(connection))
                {
                    await database.OpenAsync(Ct);
                    await using var count = new NpgsqlCommand("SELECT count(*) FROM artifacts", database);
                    Assert.Equal(0L, (long)(await count.ExecuteScalarAsync(Ct))!);
                }

                var user = table.Latest.GroupBy(r => r.User).MinBy(g => g.Count())!.Key; // the synthetic heavy users have rated every item
                foreach (var host in hosts)
                {
                    var answer = await host.Client.GetFromJsonAsync<JsonElement>($"/users/{user}/recommendations?num_recommendations=5", Ct);
                    Assert.Equal(version.Version, answer.GetProperty("model").GetProperty("version").GetInt32());
                    Assert.True(answer.GetProperty("recommendations").GetArrayLength() == 5, answer.ToString());
                }
            }
            finally
            {
                foreach (var host in hosts)
                {
                    await host.DisposeAsync();
                }
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Services.DropSchema(schema);
            await data.DeleteIfExistsAsync(cancellationToken: Ct);
            await artifacts.DeleteIfExistsAsync(cancellationToken: Ct);
            work.Delete(recursive: true);
        }
    }

    private static async Task<(DataSourceKind, long, long)> DescribeAsync(string url)
    {
        var description = await InteractionSource.DescribeAsync(url, cancellationToken: Ct);
        return (description.Kind, description.Version!.Value, description.Rows);
    }
}
