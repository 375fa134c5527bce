using System.Runtime.InteropServices;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Containers;

/// <summary>
/// Sleeps until a container's monitor exits or a timeout passes. The monitor records the exit as its last act,
/// so its end is the moment a waiter has something new to read; a pidfd (it names that process and no recycled
/// successor) polls readable then. inotify would also wake on the record, but closing an inotify instance waits
/// for an SRCU grace period — 10 to 20 ms on every Wait.
/// </summary>
internal sealed class MonitorWatch : IDisposable
{
    private SafeFdHandle? _pidfd;
    private ProcessIdentity _monitor;

    /// <summary>Returns after the monitor of <paramref name="state"/> has exited, or after <paramref name="timeout"/>.</summary>
    public unsafe void Wait(ContainerStateRecord state, TimeSpan timeout)
    {
        var milliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        var monitor = new ProcessIdentity(state.MonitorPid, state.MonitorStartTime);
        if (_pidfd is null || monitor != _monitor)
        {
            _pidfd?.Dispose();
            _pidfd = null;
            _monitor = monitor;
            var fd = Libc.pidfd_open(monitor.Pid);
            if (fd >= 0)
                _pidfd = new SafeFdHandle(fd);
            // Opened after the pid could have been recycled: only the start time says it is still the monitor.
            if (_pidfd is not null && !monitor.IsAlive)
                return;
        }
        if (_pidfd is null)
        {
            Thread.Sleep(Math.Min(milliseconds, 10));
            return;
        }
        var poll = new Libc.PollFd { Fd = _pidfd.Fd, Events = Libc.POLLIN };
        if (Libc.poll(&poll, 1, milliseconds) < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR)
            Thread.Sleep(Math.Min(milliseconds, 10));
    }

    public void Dispose() => _pidfd?.Dispose();
}
