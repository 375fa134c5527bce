namespace Bento.Runtime.Storage;

/// <summary>An exclusive advisory lock on a file, so two pwsh sessions using one store never interleave writes.
/// FileShare.None on Unix takes an flock(LOCK_EX) that other processes honour.</summary>
public sealed class StoreLock : IDisposable
{
    private readonly FileStream _stream;

    private StoreLock(FileStream stream) => _stream = stream;

    public static StoreLock Acquire(string path, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                return new StoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}

public static class AtomicFile
{
    /// <summary>Writes to a temp file beside the target, flushes, then renames over it: readers see old or new, never half.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> data)
    {
        var temp = path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(data);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
