using System.Runtime.InteropServices;
using System.Text.Json;
using Bento.Runtime.Containers;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Errors;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>
/// Starts a process inside a running container (exec). The same native spawn step as a start, joining instead of
/// creating:
/// <code>
///  caller (pwsh, or bento-shim exec)   native child = waiter (spawn.c)      exec-init (bento-shim)       command
///  ─────────────────────────────────   ───────────────────────────────      ──────────────────────       ───────
///  pidfd + start time: still the
///  container's pid 1? open its
///  /proc/&lt;pid&gt;/ns/*, check again
///  bento_spawn(join user, pid, net, ──▶ setns each, in order; PDEATHSIG
///   ipc, uts, cgroup; mount apart)     fds → 0 1 2 | 3 report | 4 memfd
///                                      | 5 sync | 6 mount ns
///  write GO ─────────────────────────▶ fork (now inside the pid ns) ──▶ execveat(memfd): the host's
///                                      wait; exit with its code         loader and libc are mapped;
///                                      (128 + signal)                   constructor: setns(6, mount)
///                                                                       setsid/TIOCSCTTY if a PTY,
///                                                                       rlimits, user, env, cwd
///                                                                       command in PATH? no: report
///  read(report): a message → error ◀──────────────────────────────────  caps, no_new_privs, execve ──▶ runs
///  or end-of-file: the command runs
/// </code>
/// The caller waits on the waiter, whose exit code is the command's; killing the waiter kills the command (its
/// parent-death signal). The container's own process and monitor are never touched.
/// </summary>
internal static class ExecLauncher
{
    private static readonly Lock ImageLock = new();
    private static SafeFdHandle? s_image;
    private static (string Path, DateTime Modified) s_imageSource;

    /// <summary>Returns the waiter's pid once the command runs, or throws ContainerNotFound / InvalidContainerState /
    /// CommandNotFound / ContainerExecFailed. The stdio handles stay the caller's.</summary>
    public static int Launch(ContainerFiles files, ContainerRecord record, RuntimeSpec execSpec,
        SafeFdHandle stdin, SafeFdHandle stdout, SafeFdHandle stderr)
    {
        ContainerStateRecord state;
        try
        {
            state = ContainerLiveness.Read(files);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw BentoErrors.ContainerNotFound(record.Name);
        }
        if (state.Status != ContainerState.Running)
            throw BentoErrors.ContainerNotRunning(record.Name, state.Status);

        var container = new ProcessIdentity(state.Pid, state.PidStartTime);
        var joined = new List<SafeFdHandle>();
        SafeFdHandle? mountNamespace = null;
        var (reportRead, reportWrite) = Libc.Pipe();
        var (syncRead, syncWrite) = Libc.Pipe();
        var pid = 0;
        try
        {
            // The pidfd pins the process while its namespaces are opened; the start time, checked after, proves
            // they are the container's and not a newcomer's with a recycled pid.
            var fd = Libc.pidfd_open(container.Pid);
            if (fd < 0)
                throw BentoErrors.ContainerNotRunning(record.Name, ContainerState.Exited);
            using var pidfd = new SafeFdHandle(fd);
            if (!container.IsAlive)
                throw BentoErrors.ContainerNotRunning(record.Name, ContainerState.Exited);
            foreach (var kind in Namespaces.InOrder)
            {
                // The exec spec carries the container's namespace list (ExecSpecBuilder), so config.json need not be read again.
                if (!execSpec.HasNamespace(kind.SpecType))
                    continue;
                var handle = OpenNamespace(container.Pid, kind, record);
                if (kind == Namespaces.Mount)
                    mountNamespace = handle;
                else
                    joined.Add(handle);
            }
            if (!container.IsAlive)
                throw BentoErrors.ContainerNotRunning(record.Name, ContainerState.Exited);
            if (mountNamespace is null)
                throw Failed(record, "its spec has no mount namespace to join", 0);

            var json = JsonSerializer.Serialize(execSpec, ContainerJsonContext.Default.RuntimeSpec);
            using (var argv = new NativeStringArray([ShimLocator.FileName, "exec-init"]))
            using (var envp = new NativeStringArray([$"{ExecInitStage.SpecVariable}={json}"]))
            {
                pid = Spawn(SealedShim(), joined, mountNamespace, stdin, stdout, stderr, reportWrite, syncRead, argv, envp, record);
            }
            // Only the child may hold these now, or end-of-file would never come.
            reportWrite.Dispose();
            syncRead.Dispose();
            Libc.WriteAll(syncWrite.Fd, [SpawnProtocol.SyncGo], "sync pipe");
            syncWrite.Dispose();

            if (ReportMessage.Read(reportRead) is { } failure)
                throw Describe(failure, record);
            return pid;
        }
        catch
        {
            if (pid > 0)
                ContainerLauncher.KillAndReap(pid);
            throw;
        }
        finally
        {
            foreach (var handle in joined)
                handle.Dispose();
            mountNamespace?.Dispose();
            reportRead.Dispose();
            reportWrite.Dispose();
            syncRead.Dispose();
            syncWrite.Dispose();
        }
    }

    private static SafeFdHandle OpenNamespace(int pid, NamespaceKind kind, ContainerRecord record)
    {
        try
        {
            return Libc.OpenHandle($"/proc/{pid}/ns/{kind.ProcName}", Libc.O_RDONLY);
        }
        catch (ErrnoException e) when (e.Errno is Libc.ENOENT or Libc.ESRCH)
        {
            throw BentoErrors.ContainerNotRunning(record.Name, ContainerState.Exited);
        }
        catch (ErrnoException e)
        {
            throw Failed(record, $"its {kind.SpecType} namespace cannot be opened", e.Errno);
        }
    }

    /// <summary>The sealed copy of bento-shim that exec-init runs from, made once per process: it is immutable, and
    /// copying the binary for every exec would cost more than the exec itself.</summary>
    internal static SafeFdHandle SealedShim()
    {
        var path = ShimLocator.Locate();
        // A rebuilt module (same pwsh session, new bento-shim) must not run the previous exec-init.
        var source = (path, File.GetLastWriteTimeUtc(path));
        lock (ImageLock)
        {
            if (s_image is null || s_imageSource != source)
            {
                // The old copy may be in a concurrent spawn's request; a memfd costs little, so it is left to the GC.
                s_image = SealedExecutable.Of(path);
                s_imageSource = source;
            }
            return s_image;
        }
    }

    private static unsafe int Spawn(SafeFdHandle image, List<SafeFdHandle> joined, SafeFdHandle mountNamespace,
        SafeFdHandle stdin, SafeFdHandle stdout, SafeFdHandle stderr, SafeFdHandle report, SafeFdHandle sync,
        NativeStringArray argv, NativeStringArray envp, ContainerRecord record)
    {
        var joinFds = joined.Select(h => h.Fd).ToArray();
        int SpawnRequest()
        {
            var request = SpawnLibrary.Request.Create(0, stdin, stdout, stderr, report, sync, image, argv, envp);
            request.JoinCount = (uint)joinFds.Length;
            request.MountNamespaceFd = mountNamespace.Fd;
            for (var index = 0; index < joinFds.Length; index++)
                request.JoinFds[index] = joinFds[index];
            return SpawnLibrary.Spawn(ref request);
        }
        var result = SpawnThread.Invoke(SpawnRequest);
        if (result > 0)
            return result;
        throw Failed(record, "clone", -result);
    }

    private static BentoException Describe(ReportMessage message, ContainerRecord record)
    {
        switch (message.Kind)
        {
            case ReportKind.CommandNotFound:
                return BentoErrors.CommandNotFound(record.Name, message.Detail);
            case ReportKind.InitFailed:
                return Failed(record, message.Detail, message.Error);
            default:
                // The container ended while we joined it: its namespaces are gone or dying.
                if (message.Step is (int)SpawnStep.JoinNamespace or (int)SpawnStep.JoinMount && message.Error is Libc.EINVAL or Libc.ENOENT)
                    return BentoErrors.ContainerNotRunning(record.Name, ContainerState.Exited);
                var step = Enum.IsDefined((SpawnStep)message.Step) ? ((SpawnStep)message.Step).ToString() : message.Step.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Failed(record, $"the spawn step '{step}' failed", message.Error);
        }
    }

    public const string ExecFailed = "ContainerExecFailed";

    private static BentoException Failed(ContainerRecord record, string what, int errno)
    {
        var errnoText = errno != 0 ? $": {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})" : "";
        return new BentoException(ExecFailed, BentoErrorCategory.InvalidOperation,
            $"Running a command in container '{record.Name}' failed: {what}{errnoText}.", record.Name);
    }

}
