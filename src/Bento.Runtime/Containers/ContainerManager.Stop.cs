using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Containers;

public sealed partial class ContainerManager
{
    /// <summary>How long Stop waits for the monitor to record an exit it has caused.</summary>
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(30);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="timeout"/>; <paramref name="force"/> sends SIGKILL at once.
    /// Returns once the monitor has recorded the exit. A container that is not running is returned as it is.</summary>
    public BentoContainer Stop(string id, TimeSpan timeout, bool force)
    {
        var container = Get(id);
        if (container.State != ContainerState.Running)
            return container;
        var files = FilesOf(container.Id);
        var state = files.ReadState();
        var process = new ProcessIdentity(state.Pid, state.PidStartTime);

        // Signals go through a pidfd, checked against the recorded start time, so a recycled pid is never hit.
        var fd = Libc.pidfd_open(process.Pid);
        if (fd >= 0)
        {
            using var pidfd = new SafeFdHandle(fd);
            if (process.IsAlive)
            {
                // pid 1 of a pid namespace ignores SIGTERM unless it installed a handler: then the timeout decides.
                var endedByTerm = !force && Libc.pidfd_send_signal(pidfd.Fd, Libc.SIGTERM) == 0 && WaitForExit(pidfd, timeout);
                if (!endedByTerm)
                {
                    Libc.pidfd_send_signal(pidfd.Fd, Libc.SIGKILL);
                    WaitForExit(pidfd, RecordTimeout);
                }
            }
        }
        return Wait(container.Id, RecordTimeout, CancellationToken.None) ?? Get(container.Id);
    }

    /// <summary>A pidfd polls readable once its process has exited (it need not be our child).</summary>
    private static unsafe bool WaitForExit(SafeFdHandle pidfd, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var remaining = (int)Math.Max(0, (deadline - DateTime.UtcNow).TotalMilliseconds);
            var poll = new Libc.PollFd { Fd = pidfd.Fd, Events = Libc.POLLIN };
            var ready = Libc.poll(&poll, 1, remaining);
            if (ready > 0)
                return true;
            if (ready == 0 || System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Libc.EINTR)
                return false;
        }
    }
}
