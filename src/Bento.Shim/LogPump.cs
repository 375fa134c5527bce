using System.Buffers;
using System.Runtime.InteropServices;
using Bento.Runtime.Containers;
using Bento.Runtime.Interop;

namespace Bento.Shim;

/// <summary>Copies the container's stdout and stderr into log.jsonl, a line at a time, until both reach
/// end-of-file (when the container and everything that shares its pipes is gone). One thread, poll(2).</summary>
internal static class LogPump
{
    private sealed class Stream(string name, SafeFdHandle pipe)
    {
        public string Name { get; } = name;
        public SafeFdHandle Pipe { get; } = pipe;
        public List<byte> Partial { get; } = [];
        public bool Open { get; set; } = true;
    }

    public static unsafe void Run(string logPath, SafeFdHandle stdout, SafeFdHandle stderr)
    {
        // O_APPEND: a restarted container adds to its log, as Docker's does.
        using var log = Libc.OpenHandle(logPath, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND, 0b110_000_000);
        var streams = new[] { new Stream("stdout", stdout), new Stream("stderr", stderr) };
        var output = new ArrayBufferWriter<byte>(4096);
        var buffer = new byte[16 * 1024];
        var polls = stackalloc Libc.PollFd[2];
        while (streams.Any(s => s.Open))
        {
            for (var i = 0; i < 2; i++)
                polls[i] = new Libc.PollFd { Fd = streams[i].Open ? streams[i].Pipe.Fd : -1, Events = Libc.POLLIN };
            Libc.PollForever(polls, 2);
            for (var i = 0; i < 2; i++)
            {
                if (!polls[i].IsReady)
                    continue;
                var stream = streams[i];
                nint got;
                fixed (byte* start = buffer)
                    got = Libc.read(stream.Pipe.Fd, start, (nuint)buffer.Length);
                if (got < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                    continue;
                if (got <= 0)
                {
                    stream.Open = false;
                    if (stream.Partial.Count > 0)
                        Emit(output, stream, CollectionsMarshal.AsSpan(stream.Partial));
                    stream.Partial.Clear();
                }
                else
                {
                    Split(output, stream, buffer.AsSpan(0, (int)got));
                }
            }
            if (output.WrittenCount > 0)
            {
                try
                {
                    Libc.WriteAll(log.Fd, output.WrittenSpan, logPath);
                }
                catch (ErrnoException)
                {
                    // A full disk loses these lines, not the container: the pipes must keep draining, or its writes
                    // would block, and a monitor that gave up would take the container with it.
                }
                output.ResetWrittenCount();
            }
        }
    }

    private static void Split(ArrayBufferWriter<byte> output, Stream stream, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                stream.Partial.AddRange(data);
                if (stream.Partial.Count >= LogFormat.MaxLineBytes)
                {
                    Emit(output, stream, CollectionsMarshal.AsSpan(stream.Partial));
                    stream.Partial.Clear();
                }
                return;
            }
            if (stream.Partial.Count > 0)
            {
                stream.Partial.AddRange(data[..newline]);
                Emit(output, stream, CollectionsMarshal.AsSpan(stream.Partial));
                stream.Partial.Clear();
            }
            else
            {
                Emit(output, stream, data[..newline]);
            }
            data = data[(newline + 1)..];
        }
    }

    private static void Emit(ArrayBufferWriter<byte> output, Stream stream, ReadOnlySpan<byte> line)
    {
        // A CRLF line's CR is part of the line ending, not of the text.
        if (!line.IsEmpty && line[^1] == (byte)'\r')
            line = line[..^1];
        LogFormat.Append(output, DateTime.UtcNow, stream.Name, line);
    }
}
