namespace Bento.Runtime.Containers;

public sealed partial class ContainerManager
{
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The container's output from log.jsonl: the last <paramref name="tail"/> lines (all when null), then,
    /// with <paramref name="follow"/>, new lines as they come until the container exits. Cancellation ends the
    /// sequence quietly.</summary>
    public IEnumerable<LogEntry> ReadLog(string id, int? tail, bool follow, CancellationToken cancellationToken)
    {
        var container = Get(id);
        return ReadLog(FilesOf(container.Id), tail, follow, cancellationToken);
    }

    private IEnumerable<LogEntry> ReadLog(ContainerFiles files, int? tail, bool follow, CancellationToken cancellationToken)
    {
        using var exit = new ExitWatch(files);
        FileStream? stream = null;
        try
        {
            var pending = new List<byte>();
            var buffer = new byte[64 * 1024];
            var firstRead = true;
            while (true)
            {
                // Whether it still runs is decided before reading: lines written before the exit are then read too.
                if (follow)
                    exit.Arm();
                var running = follow && Load(files)?.State == ContainerState.Running;
                stream ??= OpenLog(files.Log);
                var batch = new List<LogEntry>();
                if (stream is not null)
                {
                    int got;
                    while ((got = stream.Read(buffer)) > 0)
                        SplitLines(buffer.AsSpan(0, got), pending, batch);
                }
                if (firstRead && tail is { } keep)
                    batch = batch.Skip(Math.Max(0, batch.Count - keep)).ToList();
                firstRead = false;
                foreach (var entry in batch)
                    yield return entry;
                if (!running || cancellationToken.IsCancellationRequested)
                    yield break;
                // New lines are picked up on this beat; the monitor's exit ends the wait at once.
                exit.Wait(files.ReadState(), FollowInterval);
                if (cancellationToken.IsCancellationRequested)
                    yield break;
            }
        }
        finally
        {
            stream?.Dispose();
        }
    }

    private static FileStream? OpenLog(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static void SplitLines(ReadOnlySpan<byte> data, List<byte> pending, List<LogEntry> into)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                pending.AddRange(data);
                return;
            }
            ReadOnlySpan<byte> line;
            if (pending.Count > 0)
            {
                pending.AddRange(data[..newline]);
                line = pending.ToArray();
                pending.Clear();
            }
            else
            {
                line = data[..newline];
            }
            if (LogFormat.Parse(line) is { } entry)
                into.Add(entry);
            data = data[(newline + 1)..];
        }
    }
}
