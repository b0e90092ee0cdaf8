namespace Recsys.Registry;

/// <summary>
/// Artifacts as files <c>sha256/ab/abcdef…</c> under a folder. A file is written to a temporary name, flushed to
/// disk and renamed into place, so a crash never leaves a partial file under a content address.
/// </summary>
internal sealed class FileArtifactStore : IArtifactStore
{
    private readonly string _root;

    /// <summary>Opens the store and deletes temporary files a killed writer left more than an hour ago.</summary>
    public FileArtifactStore(string root)
    {
        _root = root;
        var folder = Path.Combine(root, "sha256");
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.tmp", SearchOption.AllDirectories))
        {
            try
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > TimeSpan.FromHours(1))
                {
                    File.Delete(file);
                }
            }
            catch (IOException)
            {
                // Another process is cleaning up too, or still writing: leave it.
            }
        }
    }

    public async Task PutAsync(string sha256, Stream content, long length, CancellationToken cancellationToken)
    {
        var path = PathOf(sha256);
        if (File.Exists(path) && new FileInfo(path).Length == length)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await Artifacts.CopyExactlyAsync(content, stream, length, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        try
        {
            // FileShare.Delete: deleting an artifact (retention) never fails because a replica is loading it.
            return Task.FromResult<Stream?>(new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(sha256)); // no error when absent
        return Task.CompletedTask;
    }

    private string PathOf(string sha256) => Path.Combine(_root, "sha256", sha256[..2], sha256);
}
