using System.Runtime.InteropServices;
using System.Text;
using Bento.Runtime.Containers;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Shim;

/// <summary>
/// <c>bento-shim run &lt;container dir&gt;</c>: starts the container (see the sequence in <see cref="SpawnProtocol"/>),
/// tells the starter "started &lt;pid&gt;" on stdout, detaches, copies the container's output into log.jsonl,
/// reaps it and records its exit. Lives exactly as long as the container.
/// </summary>
internal static class Monitor
{
    public static int Run(string containerDirectory)
    {
        CloseInheritedDescriptors();
        // A session of its own: no terminal hang-up or process-group signal of the starter's reaches it.
        Libc.setsid();
        Directory.SetCurrentDirectory("/");

        var files = new ContainerFiles(containerDirectory);
        LaunchedContainer container;
        try
        {
            var record = files.ReadRecord();
            var spec = files.ReadSpec();
            container = ContainerLauncher.Launch(files, record, spec);
            RecordStart(files, container.Pid);
        }
        catch (ContainerStartException e)
        {
            Handshake(StartHandshake.Failed(e.Failure));
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or Bento.Runtime.Errors.BentoException)
        {
            var failure = e is Bento.Runtime.Errors.BentoException b
                ? new StartFailure { ErrorId = b.ErrorId, Message = b.Message, Target = b.Target }
                : new StartFailure { Message = $"The container in '{containerDirectory}' could not be started: {e.Message}" };
            Handshake(StartHandshake.Failed(failure));
            return 1;
        }

        Handshake(StartHandshake.Started(container.Pid));
        DetachStdio();

        using (container)
        {
            if (container.Terminal is { } terminal)
                TtyPump.Run(files, terminal);
            else
                LogPump.Run(files.Log, container.Stdout, container.Stderr);
        }
        var exitCode = Reap(container.Pid);
        RecordExit(files, exitCode);
        ExitWatch.Ring(files);
        return 0;
    }

    /// <summary>The runtime opens everything close-on-exec, so a descriptor without that flag was inherited from
    /// the starter (a CI runner's pipe, a terminal). Holding it for the container's lifetime could keep the
    /// starter's reader waiting for an end-of-file, so it goes.</summary>
    private static void CloseInheritedDescriptors()
    {
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var fd) && fd > 2 && !Libc.IsCloseOnExec(fd))
                Libc.close(fd);
        }
    }

    private static void Handshake(string line)
    {
        try
        {
            Libc.WriteAll(1, Encoding.UTF8.GetBytes(line + "\n"), "the starter's pipe");
        }
        catch (ErrnoException)
        {
            // The starter gave up waiting; the state file still says what happened.
        }
    }

    /// <summary>From now on nothing of the starter's is held: its pipes close and it may exit.</summary>
    private static void DetachStdio()
    {
        using var devNull = Libc.OpenHandle("/dev/null", Libc.O_RDWR);
        for (var fd = 0; fd <= 2; fd++)
            Libc.dup2(devNull.Fd, fd);
    }

    private static void RecordStart(ContainerFiles files, int pid)
    {
        // The starter holds the container's lock until it reads the handshake, on this monitor's behalf.
        var state = files.ReadState();
        var monitor = ProcessIdentity.Self();
        state.Status = ContainerState.Running;
        state.Pid = pid;
        state.PidStartTime = ProcessIdentity.Of(pid)?.StartTime ?? 0;
        state.MonitorPid = monitor.Pid;
        state.MonitorStartTime = monitor.StartTime;
        state.BootId = ProcessIdentity.BootId();
        state.StartedAt = DateTimeOffset.UtcNow;
        state.FinishedAt = null;
        state.ExitCode = null;
        state.ExitReason = null;
        files.WriteState(state);
    }

    private static void RecordExit(ContainerFiles files, int exitCode)
    {
        try
        {
            using (ContainerLock.Acquire(files.Lock))
            {
                var state = files.ReadState();
                state.Status = ContainerState.Exited;
                state.ExitCode = exitCode;
                state.FinishedAt = DateTimeOffset.UtcNow;
                state.Pid = 0;
                files.WriteState(state);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The container was removed meanwhile (forced): nothing is left to record into.
        }
    }

    private static unsafe int Reap(int pid)
    {
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() != Libc.EINTR)
                return ContainerLiveness.ExitCodeMonitorLost;
        }
        return Libc.ExitCodeOf(status);
    }
}
