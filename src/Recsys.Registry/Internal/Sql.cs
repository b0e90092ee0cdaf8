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
