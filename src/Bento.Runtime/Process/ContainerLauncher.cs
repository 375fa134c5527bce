using System.Runtime.InteropServices;
using Bento.Runtime.Containers;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Errors;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>The container's first process, running, and the read ends of its stdout and stderr.</summary>
internal sealed class LaunchedContainer(int pid, SafeFdHandle stdout, SafeFdHandle stderr) : IDisposable
{
    public int Pid { get; } = pid;
    public SafeFdHandle Stdout { get; } = stdout;
    public SafeFdHandle Stderr { get; } = stderr;
    /// <summary>A -Tty container's PTY master (its output is then the only output; stdout/stderr end at once).</summary>
    public SafeFdHandle? Terminal { get; init; }

    public void Dispose()
    {
        Stdout.Dispose();
        Stderr.Dispose();
        Terminal?.Dispose();
    }
}

/// <summary>The monitor's half of the start protocol drawn in <see cref="SpawnProtocol"/>.</summary>
internal static class ContainerLauncher
{
    public static LaunchedContainer Launch(ContainerFiles files, ContainerRecord record, RuntimeSpec spec)
    {
        var cloneFlags = CloneFlagsOf(spec);
        // A -Tty container's init makes its PTY inside and sends the master back on this socket (its stdin slot).
        var (consoleSocket, consoleForInit) = spec.Process.Terminal ? Libc.SocketPair() : (null, null);
        using var console = consoleSocket;
        using var stdin = consoleForInit ?? Libc.OpenHandle("/dev/null", Libc.O_RDONLY);
        var (stdoutRead, stdoutWrite) = Libc.Pipe();
        var (stderrRead, stderrWrite) = Libc.Pipe();
        var (reportRead, reportWrite) = Libc.Pipe();
        var (syncRead, syncWrite) = Libc.Pipe();
        var pid = 0;
        try
        {
            using (var image = SealedExecutable.OfCurrentProcess())
            using (var argv = new NativeStringArray([ShimLocator.FileName, "init", files.Directory]))
            using (var envp = new NativeStringArray([]))
            {
                pid = Spawn(cloneFlags, stdin, stdoutWrite, stderrWrite, reportWrite, syncRead, image, argv, envp);
            }
            // Only the child may hold these now, or end-of-file would never come.
            stdoutWrite.Dispose();
            stderrWrite.Dispose();
            reportWrite.Dispose();
            syncRead.Dispose();

            if ((cloneFlags & Namespaces.User.CloneFlag) != 0)
                IdMaps.Write(pid, spec.Linux.UidMappings ?? [], spec.Linux.GidMappings ?? []);
            Libc.WriteAll(syncWrite.Fd, [SpawnProtocol.SyncGo], "sync pipe");
            syncWrite.Dispose();

            if (ReportMessage.Read(reportRead) is { } failure)
                throw new ContainerStartException(Describe(failure, record, spec));
            if (console is null)
                return new LaunchedContainer(pid, stdoutRead, stderrRead);
            stdin.Dispose();
            var terminal = Libc.ReceiveFd(console.Fd) ?? throw new ContainerStartException(new StartFailure
            {
                Message = $"Container '{record.Name}' started without handing over its terminal.",
                Target = record.Name,
            });
            return new LaunchedContainer(pid, stdoutRead, stderrRead) { Terminal = terminal };
        }
        catch
        {
            if (pid > 0)
                KillAndReap(pid);
            stdoutRead.Dispose();
            stderrRead.Dispose();
            throw;
        }
        finally
        {
            stdoutWrite.Dispose();
            stderrWrite.Dispose();
            reportRead.Dispose();
            reportWrite.Dispose();
            syncRead.Dispose();
            syncWrite.Dispose();
        }
    }

    private static uint CloneFlagsOf(RuntimeSpec spec)
    {
        uint flags = 0;
        foreach (var entry in spec.Linux.Namespaces)
        {
            var kind = Namespaces.BySpecType(entry.Type) ?? throw Unsupported($"the namespace type '{entry.Type}' is unknown");
            if (entry.Path is not null)
                throw Unsupported($"joining an existing {entry.Type} namespace ({entry.Path}) is not supported yet");
            flags |= kind.CloneFlag;
        }
        return flags;
    }

    private static unsafe int Spawn(uint cloneFlags, SafeFdHandle stdin, SafeFdHandle stdout, SafeFdHandle stderr,
        SafeFdHandle report, SafeFdHandle sync, SafeFdHandle image, NativeStringArray argv, NativeStringArray envp)
    {
        var request = SpawnLibrary.Request.Create(cloneFlags, stdin, stdout, stderr, report, sync, image, argv, envp);
        var result = SpawnLibrary.Spawn(ref request);
        if (result > 0)
            return result;
        var errno = -result;
        if ((cloneFlags & Namespaces.User.CloneFlag) != 0 && errno is Libc.EPERM or Libc.EINVAL or Libc.ENOSPC or 87 /* EUSERS */)
            throw new ContainerStartException(new StartFailure
            {
                ErrorId = "UnsupportedHost",
                Message = BentoErrors.UnsupportedHost(
                    $"The kernel refused to create a user namespace ({Marshal.GetPInvokeErrorMessage(errno)}).",
                    "Allow unprivileged user namespaces (sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1; " +
                    "on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0).").Message,
                Errno = errno,
            });
        throw new ContainerStartException(new StartFailure
        {
            Message = $"Creating the container's process failed: clone: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).",
            Errno = errno,
        });
    }

    /// <summary>Turns a report into the error the user sees.</summary>
    internal static StartFailure Describe(ReportMessage message, ContainerRecord record, RuntimeSpec spec)
    {
        var errnoText = message.Error != 0 ? $": {Marshal.GetPInvokeErrorMessage(message.Error)} (errno {message.Error})" : "";
        switch (message.Kind)
        {
            case ReportKind.CommandNotFound:
                var notFound = BentoErrors.CommandNotFound(record.Name, message.Detail);
                return new StartFailure { ErrorId = notFound.ErrorId, Message = notFound.Message, Target = message.Detail, Step = message.Step, Errno = message.Error };
            case ReportKind.InitFailed when message.Step == (int)InitStep.Overlay && spec.HasNamespace(Namespaces.User.SpecType)
                                            && message.Error is Libc.EPERM or Libc.EINVAL or 19 /* ENODEV */:
                var overlay = BentoErrors.UnsupportedHost(
                    $"The kernel refused to mount overlayfs inside a user namespace ({message.Detail}{errnoText}).",
                    "Rootless containers need Linux 5.11 or newer with the overlay module loaded.");
                return new StartFailure { ErrorId = overlay.ErrorId, Message = overlay.Message, Step = message.Step, Errno = message.Error };
            case ReportKind.InitFailed:
                return new StartFailure
                {
                    Message = $"Container '{record.Name}' failed to start: {message.Detail}{errnoText}.",
                    Target = record.Name, Step = message.Step, Errno = message.Error,
                };
            default:
                var step = Enum.IsDefined((SpawnStep)message.Step) ? ((SpawnStep)message.Step).ToString() : message.Step.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new StartFailure
                {
                    Message = $"Container '{record.Name}' failed to start: the spawn step '{step}' failed{errnoText}.",
                    Target = record.Name, Step = message.Step, Errno = message.Error,
                };
        }
    }

    private static ContainerStartException Unsupported(string what) =>
        new(new StartFailure { ErrorId = "InvalidArgument", Message = $"The container's spec cannot be run: {what}." });

    internal static unsafe int KillAndReap(int pid)
    {
        Libc.kill(pid, Libc.SIGKILL);
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() != Libc.EINTR)
                return -1;
        }
        return status;
    }
}
