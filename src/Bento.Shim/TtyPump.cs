using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Bento.Runtime.Containers;
using Bento.Runtime.Interop;
using Bento.Runtime.Terminal;

namespace Bento.Shim;

/// <summary>
/// The monitor's loop for a -Tty container: the PTY master's output goes to log.jsonl (stream "stdout", one entry a
/// line) and to the attached client, if any; the client's keystrokes and window sizes go to the PTY. Ends when the
/// PTY reads EIO (no process holds its slave). Detaching (the client leaving) changes nothing for the container.
/// </summary>
internal static class TtyPump
{
    private const int ReplayBytes = 8 * 1024;

    public static unsafe void Run(ContainerFiles files, SafeFdHandle master)
    {
        using var log = Libc.OpenHandle(files.Log, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND, 0b110_000_000);
        SafeFdHandle? listener = null;
        try
        {
            listener = AttachSocket.Listen(files.Directory);
        }
        catch (ErrnoException)
        {
            // No attach then; the container still runs and logs.
        }
        SafeFdHandle? client = null;
        var replay = new List<byte>(ReplayBytes);
        var partialLine = new List<byte>();
        var frames = new List<byte>();
        var output = new ArrayBufferWriter<byte>(4096);
        var buffer = new byte[16 * 1024];
        var polls = stackalloc Libc.PollFd[3];
        try
        {
            fixed (byte* start = buffer)
            {
                while (true)
                {
                    polls[0] = new Libc.PollFd { Fd = master.Fd, Events = Libc.POLLIN };
                    polls[1] = new Libc.PollFd { Fd = listener?.Fd ?? -1, Events = Libc.POLLIN };
                    polls[2] = new Libc.PollFd { Fd = client?.Fd ?? -1, Events = Libc.POLLIN };
                    Libc.PollForever(polls, 3);
                    if (polls[0].IsReady)
                    {
                        var got = Libc.read(master.Fd, start, (nuint)buffer.Length);
                        if (got < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                            continue;
                        if (got <= 0)
                            break; // EIO: the container's last process on the terminal is gone
                        var data = buffer.AsSpan(0, (int)got);
                        Log(output, partialLine, data);
                        Libc.WriteAll(log.Fd, output.WrittenSpan, files.Log);
                        output.ResetWrittenCount();
                        replay.AddRange(data);
                        if (replay.Count > ReplayBytes)
                            replay.RemoveRange(0, replay.Count - ReplayBytes);
                        if (client is not null && !TrySend(client, data))
                            Drop(ref client, frames);
                    }
                    if (listener is not null && polls[1].IsReady)
                    {
                        var accepted = Libc.accept4(listener.Fd, null, null, Libc.SOCK_CLOEXEC);
                        if (accepted >= 0)
                        {
                            // One attached terminal at a time: the newest wins.
                            Drop(ref client, frames);
                            client = new SafeFdHandle(accepted);
                            if (!TrySend(client, CollectionsMarshal.AsSpan(replay)))
                                Drop(ref client, frames);
                        }
                    }
                    if (client is not null && polls[2].IsReady)
                    {
                        var got = Libc.read(client.Fd, start, (nuint)buffer.Length);
                        if (got <= 0)
                        {
                            Drop(ref client, frames);
                            continue;
                        }
                        frames.AddRange(buffer.AsSpan(0, (int)got));
                        AttachSocket.TakeFrames(frames, (kind, payload) => Handle(master, kind, payload));
                    }
                }
            }
            if (partialLine.Count > 0)
            {
                LogFormat.Append(output, DateTime.UtcNow, "stdout", CollectionsMarshal.AsSpan(partialLine));
                Libc.WriteAll(log.Fd, output.WrittenSpan, files.Log);
            }
        }
        finally
        {
            client?.Dispose();
            listener?.Dispose();
            AttachSocket.Remove(files.Directory);
        }
    }

    private static void Drop(ref SafeFdHandle? client, List<byte> frames)
    {
        client?.Dispose();
        client = null;
        frames.Clear();
    }

    private static bool TrySend(SafeFdHandle client, ReadOnlySpan<byte> data)
    {
        try
        {
            Libc.WriteAll(client.Fd, data, "the attached terminal");
            return true;
        }
        catch (ErrnoException)
        {
            return false;
        }
    }

    private static unsafe void Handle(SafeFdHandle master, byte kind, ReadOnlySpan<byte> payload)
    {
        if (kind == AttachSocket.InputFrame)
        {
            Libc.WriteAll(master.Fd, payload, "the container's terminal");
        }
        else if (kind == AttachSocket.ResizeFrame && payload.Length == 4)
        {
            var size = new Libc.WindowSize
            {
                Rows = BinaryPrimitives.ReadUInt16LittleEndian(payload),
                Columns = BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]),
            };
            Libc.ioctl(master.Fd, Libc.TIOCSWINSZ, &size);
        }
    }

    /// <summary>Terminal output as log lines: CR LF (the PTY's newline) ends a line.</summary>
    private static void Log(ArrayBufferWriter<byte> output, List<byte> partial, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                partial.AddRange(data);
                if (partial.Count >= LogFormat.MaxLineBytes)
                {
                    LogFormat.Append(output, DateTime.UtcNow, "stdout", CollectionsMarshal.AsSpan(partial));
                    partial.Clear();
                }
                return;
            }
            partial.AddRange(data[..newline]);
            var line = CollectionsMarshal.AsSpan(partial);
            if (!line.IsEmpty && line[^1] == (byte)'\r')
                line = line[..^1];
            LogFormat.Append(output, DateTime.UtcNow, "stdout", line);
            partial.Clear();
            data = data[(newline + 1)..];
        }
    }
}
