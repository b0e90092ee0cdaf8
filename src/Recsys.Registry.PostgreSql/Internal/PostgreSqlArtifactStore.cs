using Npgsql;

namespace Recsys.Registry;

/// <summary>Artifacts as rows of the <c>artifacts</c> table, inserted in their own transaction before the version turns READY.</summary>
internal sealed class PostgreSqlArtifactStore(NpgsqlDataSource dataSource) : IArtifactStore
{
    public async Task PutAsync(string sha256, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO artifacts (sha256, content, size, created_at) VALUES (@sha, @content, @size, now()) ON CONFLICT (sha256) DO NOTHING");
        command.Parameters.AddWithValue("sha", sha256);
        command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("content", content) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        command.Parameters.AddWithValue("size", (long)content.Length);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT content FROM artifacts WHERE sha256 = @sha");
        command.Parameters.AddWithValue("sha", sha256);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    public async Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM artifacts WHERE sha256 = @sha");
        command.Parameters.AddWithValue("sha", sha256);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
