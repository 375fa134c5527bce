using System.Runtime.InteropServices;
using System.Text;
using Bento.Runtime.Containers;
using Bento.Runtime.Errors;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Terminal;

/// <summary>
/// <c>bento-shim attach &lt;container dir&gt;</c>: the user's terminal, in raw mode, connected to a -Tty container's
/// PTY through its monitor's attach socket. Ctrl+P Ctrl+Q detaches and leaves the container running (stderr line
/// <c>detached</c>); otherwise it ends with the container and exits with its exit code. Failures as
/// <see cref="ExecFailure"/> lines on stderr, exit code 125.
/// </summary>
internal static class AttachSession
{
    public const string DetachedLine = "detached";
    /// <summary>Ctrl+P Ctrl+Q, docker's default detach keys.</summary>
    public static readonly byte[] DetachKeys = [0x10, 0x11];

    public static int Run(string containerDirectory)
    {
        HostTerminal? terminal = null;
        var registrations = new List<PosixSignalRegistration>();
        try
        {
            var files = new ContainerFiles(containerDirectory);
            ContainerRecord record;
            Containers.Spec.RuntimeSpec spec;
            try
            {
                record = files.ReadRecord();
                spec = files.ReadSpec();
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw BentoErrors.ContainerNotFound(Path.GetFileName(containerDirectory));
            }
            if (!spec.Process.Terminal)
                throw BentoErrors.InvalidContainerState(record.Name,
                    $"Container '{record.Name}' was not created with -Tty; its output is in its log (Get-BentoContainerLog -Follow).");
            if (ContainerLiveness.Read(files).Status != ContainerState.Running)
                throw BentoErrors.InvalidContainerState(record.Name, $"Container '{record.Name}' is not running.");

            using var socket = Connect(containerDirectory, record);
            terminal = HostTerminal.On(0);
            var (resizedRead, resizedWrite) = Libc.Pipe();
            using var resized = resizedRead;
            using var resizedSignal = resizedWrite;
            void SendSize()
            {
                if (terminal?.WindowSize() is { } size)
                    Libc.WriteAll(socket.Fd, AttachSocket.ResizeFrameOf(size), "the attach socket");
            }
            var terminalForSignals = terminal;
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
                registrations.Add(PosixSignalRegistration.Create(signal, _ => terminalForSignals?.Restore()));
            if (!OperatingSystem.IsWindows()) // always true; tells the platform analyzer SIGWINCH exists here
                registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => Libc.WriteAll(resizedSignal.Fd, [1], "resize pipe")));

            terminal?.EnterRawMode();
            SendSize();
            var relay = new TerminalRelay(0, 1, socket)
            {
                DetachKeys = DetachKeys,
                WriteInput = keys => Libc.WriteAll(socket.Fd, AttachSocket.Frame(AttachSocket.InputFrame, keys), "the attach socket"),
                OnResize = SendSize,
            };
            var end = relay.Run(null, resized);
            terminal?.Restore();
            if (end == RelayEnd.Detached)
            {
                Libc.WriteAll(1, "\r\n"u8, "stdout");
                Libc.WriteAll(2, Encoding.UTF8.GetBytes(DetachedLine + "\n"), "stderr");
                return 0;
            }
            return ExitCodeOf(files);
        }
        catch (BentoException e)
        {
            terminal?.Restore();
            Report(e);
            return InteractiveExec.ExitFailed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            terminal?.Restore();
            Report(new BentoException(ExecLauncher.ExecFailed, BentoErrorCategory.InvalidOperation,
                $"Attaching to the container in '{containerDirectory}' failed: {e.Message}"));
            return InteractiveExec.ExitFailed;
        }
        finally
        {
            terminal?.Restore();
            foreach (var registration in registrations)
                registration.Dispose();
        }
    }

    private static SafeFdHandle Connect(string containerDirectory, ContainerRecord record)
    {
        try
        {
            return AttachSocket.Connect(containerDirectory);
        }
        catch (ErrnoException e) when (e.Errno is Libc.ENOENT or 111 /* ECONNREFUSED */)
        {
            throw BentoErrors.InvalidContainerState(record.Name, $"Container '{record.Name}' has no terminal to attach to (it is exiting).");
        }
    }

    /// <summary>The PTY closed: the container is ending; its monitor records the exit moments later.</summary>
    private static int ExitCodeOf(ContainerFiles files)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var state = ContainerLiveness.Read(files);
            if (state.Status == ContainerState.Exited)
                return state.ExitCode ?? 0;
            Thread.Sleep(20);
        }
        return InteractiveExec.ExitFailed;
    }

    private static void Report(BentoException e)
    {
        try
        {
            Libc.WriteAll(2, Encoding.UTF8.GetBytes(ExecFailure.Line(e) + "\n"), "stderr");
        }
        catch (ErrnoException)
        {
        }
    }

}
