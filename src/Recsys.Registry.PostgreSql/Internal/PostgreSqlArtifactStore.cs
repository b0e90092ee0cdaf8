using System.Data;
using Npgsql;

namespace Recsys.Registry;

/// <summary>
/// Artifacts as rows of the <c>artifacts</c> table (a <c>bytea</c> column, so at most 1 GiB each), inserted in their
/// own transaction before the version turns READY. Both ways the bytes stream: the insert sends the artifact from its
/// stream and a read hands out the column as the server sends it (sequential access), holding its connection until
/// the stream is disposed.
/// </summary>
internal sealed class PostgreSqlArtifactStore(NpgsqlDataSource dataSource) : IArtifactStore
{
    private const long MaxLength = (1L << 30) - 1;

    public async Task PutAsync(string sha256, Stream content, long length, CancellationToken cancellationToken)
    {
        if (length > MaxLength)
        {
            throw new RegistryException($"The artifact is {length} bytes; a PostgreSQL registry keeps artifacts of at most 1 GiB in its database. Keep larger ones in blob storage (PostgreSqlRegistryOptions.Artifacts: Recsys.Registry.AzureBlob or Recsys.Registry.S3).");
        }

        await using var command = dataSource.CreateCommand(
            "INSERT INTO artifacts (sha256, content, size, created_at) VALUES (@sha, @content, @size, now()) ON CONFLICT (sha256) DO NOTHING");
        command.Parameters.AddWithValue("sha", sha256);
        command.Parameters.Add(new NpgsqlParameter("content", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = content, Size = (int)length });
        command.Parameters.AddWithValue("size", length);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        NpgsqlConnection? connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlCommand? command = null;
        NpgsqlDataReader? reader = null;
        try
        {
            command = new NpgsqlCommand("SELECT content FROM artifacts WHERE sha256 = @sha", connection);
            command.Parameters.AddWithValue("sha", sha256);
            reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var column = await reader.GetStreamAsync(0, cancellationToken).ConfigureAwait(false);
            var stream = new OwningReadStream(column, reader, command, connection);
            (reader, command, connection) = (null, null, null); // the stream disposes them
            return stream;
        }
        finally
        {
            // No row, or a failure before the stream took them over.
            if (reader is not null)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }

            if (command is not null)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM artifacts WHERE sha256 = @sha");
        command.Parameters.AddWithValue("sha", sha256);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
