using System.Data.Common;

namespace Recsys.Registry;

/// <summary>The ADO.NET helpers the SQL stores share.</summary>
internal static class Sql
{
    /// <summary>A command with named parameters (<c>@name</c>; null becomes DBNull).</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}

/// <summary>Runs a store's CREATE … IF NOT EXISTS script once per instance, on its first connection.</summary>
internal sealed class CreateOnce(string script)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    public async Task EnsureAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (_done)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_done)
            {
                await using var create = Sql.Command(connection, null, script);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _done = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
