using Bento.Runtime.Interop;

namespace Bento.Runtime.Terminal;

/// <summary>
/// The user's terminal on one descriptor: its settings saved once, raw mode for the length of a session, and
/// exactly the saved settings put back on every way out (dispose, a signal, an exception).
/// </summary>
internal sealed class HostTerminal : IDisposable
{
    private readonly int _fd;
    private Libc.Termios _saved;
    private int _restored = 1;

    private HostTerminal(int fd) => _fd = fd;

    /// <summary>The terminal on <paramref name="fd"/>, or null when it is not a terminal (a pipe, a file).</summary>
    public static HostTerminal? On(int fd) => Libc.isatty(fd) == 1 ? new HostTerminal(fd) : null;

    /// <summary>No echo, no line editing, no signals from keys: every byte, Ctrl+C included, goes to the
    /// container's PTY, whose own line discipline turns it into SIGINT for the container's foreground job.</summary>
    public unsafe void EnterRawMode()
    {
        fixed (Libc.Termios* saved = &_saved)
        {
            if (Libc.tcgetattr(_fd, saved) != 0)
                throw ErrnoException.FromLastError("tcgetattr");
            var raw = _saved;
            Libc.cfmakeraw(&raw);
            if (Libc.tcsetattr(_fd, Libc.TCSADRAIN, &raw) != 0)
                throw ErrnoException.FromLastError("tcsetattr");
        }
        Volatile.Write(ref _restored, 0);
    }

    /// <summary>Idempotent and safe from a signal handler's thread: the first caller restores, the rest return.</summary>
    public unsafe void Restore()
    {
        if (Interlocked.Exchange(ref _restored, 1) != 0)
            return;
        fixed (Libc.Termios* saved = &_saved)
            Libc.tcsetattr(_fd, Libc.TCSADRAIN, saved);
    }

    public unsafe Libc.WindowSize? WindowSize()
    {
        Libc.WindowSize size;
        return Libc.ioctl(_fd, Libc.TIOCGWINSZ, &size) == 0 ? size : null;
    }

    public void Dispose() => Restore();
}

/// <summary>Window sizes onto a PTY master, so the program on the slave gets SIGWINCH and the new size.</summary>
internal static class WindowSizes
{
    public static unsafe void Apply(SafeFdHandle ptyMaster, Libc.WindowSize size)
    {
        if (Libc.ioctl(ptyMaster.Fd, Libc.TIOCSWINSZ, &size) != 0)
            throw ErrnoException.FromLastError("set the PTY's window size (TIOCSWINSZ)");
    }
}
