using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Containers;

/// <summary>
/// Reads state.json without ever reporting a stale Running. While the monitor lives, it is the authority (it
/// records the exit moments after it happens). When it is gone, the first reader settles the record:
/// <list type="bullet">
/// <item>another boot (boot_id differs): Exited, ExitCode 255, reason "host-rebooted" — the real code is unknowable,
/// and 255 is what Docker shows after an unclean shutdown;</item>
/// <item>same boot, monitor dead: the container died with it (the spawn step arms PR_SET_PDEATHSIG = SIGKILL), or the
/// reader kills what is left, so it is Exited with 137 (128 + SIGKILL), reason "monitor-lost", finished now.</item>
/// </list>
/// A recycled pid never passes for the container: every check compares /proc/&lt;pid&gt;/stat's start time.
/// </summary>
internal static class ContainerLiveness
{
    public const int ExitCodeHostRebooted = 255;
    public const int ExitCodeMonitorLost = 137;

    public static ContainerStateRecord Read(ContainerFiles files, bool lockHeld = false)
    {
        var state = files.ReadState();
        if (state.Status != ContainerState.Running || MonitorAlive(state))
            return state;
        using (lockHeld ? null : ContainerLock.Acquire(files.Lock))
        {
            // The monitor may have recorded the exit between the first read and the lock.
            state = files.ReadState();
            if (state.Status != ContainerState.Running || MonitorAlive(state))
                return state;
            Settle(state);
            files.WriteState(state);
            return state;
        }
    }

    public static bool MonitorAlive(ContainerStateRecord state) =>
        IsThisBoot(state) && new ProcessIdentity(state.MonitorPid, state.MonitorStartTime).IsAlive;

    private static bool IsThisBoot(ContainerStateRecord state)
    {
        try
        {
            return state.BootId == ProcessIdentity.BootId();
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static void Settle(ContainerStateRecord state)
    {
        if (!IsThisBoot(state))
        {
            state.ExitCode = ExitCodeHostRebooted;
            state.ExitReason = "host-rebooted";
        }
        else
        {
            KillIfStillThere(new ProcessIdentity(state.Pid, state.PidStartTime));
            state.ExitCode = ExitCodeMonitorLost;
            state.ExitReason = "monitor-lost";
            state.FinishedAt = DateTimeOffset.UtcNow;
        }
        state.Status = ContainerState.Exited;
        state.Pid = 0;
    }

    /// <summary>SIGKILL to exactly this process: the pidfd pins the process, then the start time proves it is ours.</summary>
    internal static bool KillIfStillThere(ProcessIdentity process, int signal = Libc.SIGKILL)
    {
        var fd = Libc.pidfd_open(process.Pid);
        if (fd < 0)
            return false;
        using var pidfd = new SafeFdHandle(fd);
        if (!process.IsAlive)
            return false;
        return Libc.pidfd_send_signal(pidfd.Fd, signal) == 0;
    }
}
