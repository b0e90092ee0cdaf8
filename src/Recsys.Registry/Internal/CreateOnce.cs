using System.Data.Common;

namespace Recsys.Registry;

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
