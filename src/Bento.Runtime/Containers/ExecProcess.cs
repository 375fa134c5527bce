using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Containers;

/// <summary>
/// A command running inside a container, started by <see cref="ContainerManager.StartExec"/>. Its stdin is
/// <see cref="StandardInput"/> (dispose it for end-of-file); its stdout and stderr lines arrive, in the order they
/// were read, through <see cref="ReadOutput"/> or <see cref="TryReadOutput"/>. Disposing kills it if it still runs.
/// </summary>
public sealed class ExecProcess : IDisposable
{
    private readonly int _pid;
    private readonly Lock _reapLock = new();
    private readonly BlockingCollection<ExecOutputLine> _output = new();
    private readonly SafeFdHandle _exitedWrite;
    private readonly Task<int> _exit;
    private readonly Task _readers;
    private bool _reaped;

    internal ExecProcess(int waiterPid, SafeFdHandle stdin, SafeFdHandle stdout, SafeFdHandle stderr)
    {
        _pid = waiterPid;
        StartTime = DateTimeOffset.UtcNow;
        StandardInput = new PipeWriteStream(stdin);
        // Closed when the process has exited: the readers then take what is left in the pipes and stop, even
        // when a background child of the command still holds them open.
        var (exitedRead, exitedWrite) = Libc.Pipe();
        _exitedWrite = exitedWrite;
        _exit = Task.Factory.StartNew(Reap, TaskCreationOptions.LongRunning);
        var readers = new[]
        {
            Task.Factory.StartNew(() => Pump(stdout, ExecOutputLine.StandardOutput, exitedRead), TaskCreationOptions.LongRunning),
            Task.Factory.StartNew(() => Pump(stderr, ExecOutputLine.StandardError, exitedRead), TaskCreationOptions.LongRunning),
        };
        _readers = Task.WhenAll(readers).ContinueWith(_ =>
        {
            exitedRead.Dispose();
            _output.CompleteAdding();
        }, TaskScheduler.Default);
    }

    /// <summary>The command's stdin. Writes after the command stopped reading are discarded, as a shell does.</summary>
    public Stream StandardInput { get; }

    public DateTimeOffset StartTime { get; }

    /// <summary>When the process exited; null while it runs.</summary>
    public DateTimeOffset? ExitTime { get; private set; }

    public bool HasExited => _exit.IsCompleted;

    /// <summary>Every line, stdout and stderr interleaved as they arrived; ends after the process has exited and its
    /// output is drained. Cancellation stops the enumeration, not the process.</summary>
    public IEnumerable<ExecOutputLine> ReadOutput(CancellationToken cancellationToken = default)
    {
        // GetConsumingEnumerable throws on cancellation; the caller asked to stop reading, not for an exception.
        while (true)
        {
            ExecOutputLine line;
            try
            {
                if (!_output.TryTake(out line, Timeout.Infinite, cancellationToken))
                    yield break;
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            catch (InvalidOperationException)
            {
                yield break; // completed while waiting
            }
            yield return line;
        }
    }

    /// <summary>A line that is already there, without waiting.</summary>
    public bool TryReadOutput(out ExecOutputLine line) => _output.TryTake(out line);

    /// <summary>The exit code: the command's, or 128 + the signal that ended it.</summary>
    public int WaitForExit() => _exit.GetAwaiter().GetResult();

    public bool WaitForExit(TimeSpan timeout, out int exitCode)
    {
        exitCode = -1;
        if (!_exit.Wait(timeout))
            return false;
        exitCode = _exit.Result;
        return true;
    }

    /// <summary>SIGKILL to the exec'd command only (through its waiter's death); the container is not touched.</summary>
    public void Kill()
    {
        lock (_reapLock)
        {
            // Until it is reaped the waiter's pid cannot be reused, so it names exactly our process.
            if (!_reaped)
                Libc.kill(_pid, Libc.SIGKILL);
        }
    }

    public void Dispose()
    {
        StandardInput.Dispose();
        if (!HasExited)
            Kill();
        _exit.Wait();
        _readers.Wait();
        _output.Dispose();
    }

    private unsafe int Reap()
    {
        int status;
        int result;
        while ((result = Libc.waitpid(_pid, &status, 0)) < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
        {
        }
        lock (_reapLock)
            _reaped = true;
        ExitTime = DateTimeOffset.UtcNow;
        _exitedWrite.Dispose();
        // ECHILD: someone else reaped it (a host that reaps every child); the code is unknowable.
        return result < 0 ? 255 : Libc.ExitCodeOf(status);
    }

    private unsafe void Pump(SafeFdHandle pipe, string stream, SafeFdHandle exited)
    {
        using var _ = pipe;
        var splitter = new LineSplitter(line => _output.Add(new ExecOutputLine(stream, line)));
        var buffer = new byte[16 * 1024];
        var polls = stackalloc Libc.PollFd[2];
        var draining = false;
        fixed (byte* start = buffer)
        {
            while (true)
            {
                polls[0] = new Libc.PollFd { Fd = pipe.Fd, Events = Libc.POLLIN };
                polls[1] = new Libc.PollFd { Fd = draining ? -1 : exited.Fd, Events = Libc.POLLIN };
                var ready = Libc.poll(polls, 2, draining ? 0 : -1);
                if (ready < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                    continue;
                if (ready <= 0)
                    break; // drained: nothing more right now, and the process is gone
                if ((polls[0].ReturnedEvents & (Libc.POLLIN | Libc.POLLHUP | Libc.POLLERR)) != 0)
                {
                    var got = Libc.read(pipe.Fd, start, (nuint)buffer.Length);
                    if (got < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                        continue;
                    if (got <= 0)
                        break;
                    splitter.Add(buffer.AsSpan(0, (int)got));
                }
                else if ((polls[1].ReturnedEvents & (Libc.POLLIN | Libc.POLLHUP | Libc.POLLERR)) != 0)
                {
                    draining = true;
                }
            }
        }
        splitter.Flush();
    }

    /// <summary>Bytes to UTF-8 lines; "\n" and "\r\n" end a line; a last line without an ending still counts.</summary>
    private sealed class LineSplitter(Action<string> emit)
    {
        private readonly List<byte> _partial = [];

        public void Add(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                var newline = data.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    _partial.AddRange(data);
                    return;
                }
                if (_partial.Count == 0)
                {
                    Emit(data[..newline]);
                }
                else
                {
                    _partial.AddRange(data[..newline]);
                    Emit(CollectionsMarshal.AsSpan(_partial));
                    _partial.Clear();
                }
                data = data[(newline + 1)..];
            }
        }

        public void Flush()
        {
            if (_partial.Count > 0)
                Emit(CollectionsMarshal.AsSpan(_partial));
            _partial.Clear();
        }

        private void Emit(ReadOnlySpan<byte> line)
        {
            if (!line.IsEmpty && line[^1] == (byte)'\r')
                line = line[..^1];
            emit(Encoding.UTF8.GetString(line));
        }
    }

    /// <summary>The write end of the command's stdin pipe. EPIPE (the command exited or closed its stdin) ends
    /// writing quietly: .NET ignores SIGPIPE, and a pipeline that feeds `head` is not an error.</summary>
    private sealed class PipeWriteStream(SafeFdHandle pipe) : Stream
    {
        private bool _broken;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => !pipe.IsClosed;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override unsafe void Write(ReadOnlySpan<byte> data)
        {
            ObjectDisposedException.ThrowIf(pipe.IsClosed, this);
            if (_broken)
                return;
            fixed (byte* start = data)
            {
                var done = 0;
                while (done < data.Length)
                {
                    var wrote = Libc.write(pipe.Fd, start + done, (nuint)(data.Length - done));
                    if (wrote >= 0)
                    {
                        done += (int)wrote;
                        continue;
                    }
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR)
                        continue;
                    if (errno == Libc.EPIPE)
                    {
                        _broken = true;
                        return;
                    }
                    throw new ErrnoException("write to the command's stdin", errno);
                }
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                pipe.Dispose();
            base.Dispose(disposing);
        }
    }
}
