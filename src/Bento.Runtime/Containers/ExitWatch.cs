using System.Runtime.InteropServices;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Containers;

/// <summary>
/// Sleeps until a container's exit has been recorded, its monitor has gone, or a timeout passes.
/// </summary>
/// <remarks>
/// Two wake-ups, both free of polling:
/// <list type="bullet">
/// <item>The exit bell: a FIFO in the container's directory. A waiter holds it open for reading; the monitor, right
/// after writing the exit record, opens it for writing and closes it again, and every reader's poll reports
/// POLLHUP (a reader that opened before that writer came sees its going). With no reader the monitor's open fails
/// at once (ENXIO), so ringing costs nothing.</item>
/// <item>The monitor's pidfd, which polls readable when the monitor dies without ringing (killed).</item>
/// </list>
/// inotify would also wake on the record, but closing an inotify instance waits for an SRCU grace period:
/// 10 to 20 ms on every Wait of a busy machine.
/// </remarks>
internal sealed class ExitWatch(ContainerFiles files) : IDisposable
{
    private SafeFdHandle? _bell;
    private SafeFdHandle? _pidfd;
    private ProcessIdentity _monitor;

    /// <summary>Call before reading the state that decides whether to wait, so a ring in between is not missed.</summary>
    public void Arm()
    {
        _bell?.Dispose();
        var fd = Libc.openat(Libc.AT_FDCWD, files.ExitBell, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        _bell = fd >= 0 ? new SafeFdHandle(fd) : null;
    }

    /// <summary>Returns after the bell rang, the monitor of <paramref name="state"/> ended, or <paramref name="timeout"/>.
    /// The bell must be <see cref="Arm"/>ed again before the next state read.</summary>
    public unsafe void Wait(ContainerStateRecord state, TimeSpan timeout)
    {
        var milliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        var monitor = new ProcessIdentity(state.MonitorPid, state.MonitorStartTime);
        if (monitor != _monitor)
        {
            _pidfd?.Dispose();
            _monitor = monitor;
            var fd = Libc.pidfd_open(monitor.Pid);
            _pidfd = fd >= 0 ? new SafeFdHandle(fd) : null;
            // Opened after the pid could have been recycled: only the start time says it is still the monitor.
            if (!monitor.IsAlive)
                return;
        }
        var polls = stackalloc Libc.PollFd[2];
        polls[0] = new Libc.PollFd { Fd = _bell?.Fd ?? -1, Events = Libc.POLLIN };
        polls[1] = new Libc.PollFd { Fd = _pidfd?.Fd ?? -1, Events = Libc.POLLIN };
        if (_bell is null && _pidfd is null)
            milliseconds = Math.Min(milliseconds, 10);
        if (Libc.poll(polls, 2, milliseconds) < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR)
            Thread.Sleep(Math.Min(milliseconds, 10));
    }

    /// <summary>The monitor's side: wakes every waiter. Never fails; a bell nobody listens to is simply not rung.</summary>
    public static void Ring(ContainerFiles files)
    {
        var fd = Libc.openat(Libc.AT_FDCWD, files.ExitBell, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (fd >= 0)
            Libc.close(fd);
    }

    public static void Install(ContainerFiles files)
    {
        if (Libc.mknodat(Libc.AT_FDCWD, files.ExitBell, Libc.S_IFIFO | 0b110_000_000, 0) != 0)
            throw ErrnoException.FromLastError("mkfifo", files.ExitBell);
    }

    public void Dispose()
    {
        _bell?.Dispose();
        _pidfd?.Dispose();
    }
}
