using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Bento.Runtime.Containers;
using Bento.Runtime.Errors;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Terminal;

/// <summary>
/// <c>bento-shim exec &lt;container dir&gt;</c> (the exec spec in $BENTO_EXEC_SPEC): an exec whose stdio is a PTY of
/// the container's, relayed to the user's terminal, which this process inherits and keeps in raw mode until the
/// command ends. A process of its own rather than code in pwsh: the terminal is then owned by something that
/// restores it on every way out, and .NET's console handling in the host never sees raw mode.
/// A failure before the command runs is one <see cref="ExecFailure"/> line on stderr, exit code 125.
/// </summary>
internal static class InteractiveExec
{
    public const int ExitFailed = 125;

    public static int Run(string containerDirectory)
    {
        HostTerminal? terminal = null;
        var registrations = new List<PosixSignalRegistration>();
        try
        {
            var files = new ContainerFiles(containerDirectory);
            var record = ReadRecord(files);
            var spec = ReadSpec();
            var state = ContainerLiveness.Read(files);
            if (state.Status != ContainerState.Running)
                throw BentoErrors.ContainerNotRunning(record.Name, state.Status);

            using var pty = ContainerPty.Open(state.Pid);
            terminal = HostTerminal.On(0);
            var (resizedRead, resizedWrite) = Libc.Pipe();
            using var resized = resizedRead;
            using var resizedSignal = resizedWrite;
            if (terminal?.WindowSize() is { } size)
                WindowSizes.Apply(pty.Master, size);

            var waiter = 0;
            var terminalForSignals = terminal;
            void Stop(PosixSignalContext context)
            {
                // Hang-up or termination of this helper: the command goes too, and the terminal is left as found.
                context.Cancel = true;
                terminalForSignals?.Restore();
                if (Volatile.Read(ref waiter) > 0)
                    Libc.kill(waiter, Libc.SIGKILL);
            }
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
                registrations.Add(PosixSignalRegistration.Create(signal, Stop));
            if (!OperatingSystem.IsWindows()) // always true; tells the platform analyzer SIGWINCH exists here
                registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => Libc.WriteAll(resizedSignal.Fd, [1], "resize pipe")));

            terminal?.EnterRawMode();
            var pid = ExecLauncher.Launch(files, record, spec, pty.Slave, pty.Slave, pty.Slave);
            Volatile.Write(ref waiter, pid);
            // The command holds the slave now; with ours closed, the master reads EIO once the command is gone.
            pty.Slave.Dispose();

            var pidfdNumber = Libc.pidfd_open(pid);
            if (pidfdNumber < 0)
                throw ErrnoException.FromLastError("pidfd_open");
            using var exited = new SafeFdHandle(pidfdNumber);
            var relay = new TerminalRelay(0, 1, pty.Master)
            {
                OnResize = () =>
                {
                    if (terminal?.WindowSize() is { } newSize)
                        WindowSizes.Apply(pty.Master, newSize);
                },
            };
            relay.Run(exited, resized);
            return Reap(pid);
        }
        catch (BentoException e)
        {
            terminal?.Restore();
            ReportFailure(e);
            return ExitFailed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            terminal?.Restore();
            ReportFailure(new BentoException(ExecLauncher.ExecFailed, BentoErrorCategory.InvalidOperation,
                $"The interactive session in '{containerDirectory}' failed: {e.Message}"));
            return ExitFailed;
        }
        finally
        {
            terminal?.Restore();
            foreach (var registration in registrations)
                registration.Dispose();
        }
    }

    private static ContainerRecord ReadRecord(ContainerFiles files)
    {
        try
        {
            return files.ReadRecord();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw BentoErrors.ContainerNotFound(Path.GetFileName(files.Directory));
        }
    }

    private static Containers.Spec.RuntimeSpec ReadSpec()
    {
        var json = Environment.GetEnvironmentVariable(ExecInitStage.SpecVariable)
            ?? throw BentoErrors.InvalidArgument(ExecInitStage.SpecVariable, $"${ExecInitStage.SpecVariable} is not set.");
        return JsonSerializer.Deserialize(json, ContainerJsonContext.Default.RuntimeSpec)
            ?? throw BentoErrors.InvalidArgument(ExecInitStage.SpecVariable, "The exec spec is JSON null.");
    }

    private static void ReportFailure(BentoException e)
    {
        try
        {
            Libc.WriteAll(2, Encoding.UTF8.GetBytes(ExecFailure.Line(e) + "\n"), "stderr");
        }
        catch (ErrnoException)
        {
        }
    }

    private static unsafe int Reap(int pid)
    {
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() != Libc.EINTR)
                return ExitFailed;
        }
        return Libc.ExitCodeOf(status);
    }
}
