using System.Runtime.InteropServices;
using System.Text;
using Bento.Runtime.Containers;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Interop;
using Bento.Runtime.RootFs;

namespace Bento.Runtime.Process;

/// <summary>
/// <c>bento-shim init &lt;container dir&gt;</c>: runs inside the new namespaces (pid 1 there), turns the spec into
/// the container's world and execve's its command. Failures go to the monitor as typed report messages on
/// <see cref="SpawnProtocol.ReportFd"/>; success is that descriptor closing at the final execve.
/// Everything runs on the main thread: credentials, capabilities and no_new_privs are per thread in the kernel,
/// and the thread that sets them must be the one that executes the command.
/// </summary>
internal static class InitStage
{
    public const int ExitCommandNotFound = 127;
    public const int ExitFailed = 126;

    public static int Run(string containerDirectory) => RunReporting(() => Execute(containerDirectory));

    /// <summary>Runs a stage that ends in execve; whatever stops it short becomes a typed report on the report pipe.
    /// Shared with <see cref="ExecInitStage"/>.</summary>
    internal static int RunReporting(Action stage)
    {
        Libc.SetCloseOnExec(SpawnProtocol.ReportFd);
        try
        {
            stage();
            return ExitFailed; // a stage returns only by throwing
        }
        catch (CommandNotFoundException e)
        {
            ReportMessage.CommandNotFound(e.Command).WriteTo(SpawnProtocol.ReportFd);
            return ExitCommandNotFound;
        }
        catch (InitStepException e)
        {
            ReportMessage.InitFailed(e.Step, e.Errno, e.Message).WriteTo(SpawnProtocol.ReportFd);
            return ExitFailed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
        {
            ReportMessage.InitFailed(InitStep.ReadSpec, e is ErrnoException errno ? errno.Errno : Libc.EIO, e.Message).WriteTo(SpawnProtocol.ReportFd);
            return ExitFailed;
        }
    }

    private static void Execute(string containerDirectory)
    {
        var files = new ContainerFiles(containerDirectory);
        RuntimeSpec spec;
        ContainerRecord record;
        try
        {
            spec = files.ReadSpec();
            record = files.ReadRecord();
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            throw new InitStepException(InitStep.ReadSpec, Libc.EIO, $"read the container's spec: {e.Message}");
        }

        new RootFsBuilder(files, record, spec).Build();

        if (spec.HasNamespace(Namespaces.Uts.SpecType) && !string.IsNullOrEmpty(spec.Hostname))
            SetHostname(spec.Hostname);
        if (spec.HasNamespace(Namespaces.Network.SpecType))
            Loopback.BringUp();
        ResourceLimits.Apply(spec.Process.Rlimits);

        var userText = spec.Annotations?.GetValueOrDefault(SpecAnnotations.User);
        var user = ContainerUser.Resolve(userText, spec.Process.User.Uid, spec.Process.User.Gid);
        var environment = spec.Process.Env.ToList();
        if (!environment.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
            environment.Add("HOME=" + (string.IsNullOrEmpty(user.Home) ? "/" : user.Home));
        if (spec.Process.Terminal)
            Terminal.ContainerConsole.SetUp(user.Uid, user.Gid);

        if (Libc.chdir(spec.Process.Cwd) != 0)
            throw InitStepException.LastError(InitStep.WorkingDirectory, $"chdir to the working directory '{spec.Process.Cwd}'");

        var args = spec.Process.Args;
        if (args.Count == 0)
            throw new InitStepException(InitStep.Exec, Libc.EINVAL, "the spec has no command (process.args is empty)");
        var executable = CommandLookup.Find(args[0], environment) ?? throw new CommandNotFoundException(args[0]);

        DropPrivileges(spec, user);
        Exec(executable, args, environment, args[0]);
    }

    private static unsafe void SetHostname(string hostname)
    {
        var bytes = Encoding.UTF8.GetBytes(hostname);
        fixed (byte* name = bytes)
        {
            if (Libc.sethostname(name, (nuint)bytes.Length) != 0)
                throw InitStepException.LastError(InitStep.Hostname, $"sethostname '{hostname}'");
        }
    }

    /// <summary>The order matters: the bounding set shrinks while CAP_SETPCAP is still held; KEEPCAPS lets the
    /// permitted set survive setuid to a non-root user; capset then trims effective/permitted/inheritable.</summary>
    internal static unsafe void DropPrivileges(RuntimeSpec spec, ContainerUser user)
    {
        var caps = spec.Process.Capabilities;
        if (caps is not null)
            Capabilities.LimitBoundingSet(caps);
        if (Libc.prctl(Libc.PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
            throw InitStepException.LastError(InitStep.Capabilities, "PR_SET_KEEPCAPS");

        // In a user namespace whose setgroups is "deny" the supplementary groups cannot (and need not) change.
        if (!SetgroupsDenied())
        {
            var groups = user.AdditionalGids.Concat(spec.Process.User.AdditionalGids ?? []).Distinct().ToArray();
            fixed (uint* list = groups)
            {
                if (Libc.setgroups((nuint)groups.Length, list) != 0)
                    throw InitStepException.LastError(InitStep.User, "setgroups");
            }
        }
        if (Libc.setgid(user.Gid) != 0)
            throw InitStepException.LastError(InitStep.User, $"setgid {user.Gid}" + UnmappedHint(spec));
        if (Libc.setuid(user.Uid) != 0)
            throw InitStepException.LastError(InitStep.User, $"setuid {user.Uid}" + UnmappedHint(spec));
        if (Libc.prctl(Libc.PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0)
            throw InitStepException.LastError(InitStep.Capabilities, "PR_SET_KEEPCAPS");
        if (caps is not null)
            Capabilities.Apply(caps);

        // A credential change clears the parent-death signal the spawn step armed: arm it again, so the container
        // cannot outlive its monitor.
        if (Libc.prctl(Libc.PR_SET_PDEATHSIG, Libc.SIGKILL, 0, 0, 0) != 0)
            throw InitStepException.LastError(InitStep.Capabilities, "PR_SET_PDEATHSIG");
        if (spec.Process.NoNewPrivileges && Libc.prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
            throw InitStepException.LastError(InitStep.Capabilities, "PR_SET_NO_NEW_PRIVS");
    }

    private static string UnmappedHint(RuntimeSpec spec) =>
        !spec.HasNamespace(Namespaces.User.SpecType) ? ""
        : spec.Linux.UidMappings is [{ Size: 1 }] ? " (a rootless container without a subordinate id range in /etc/subuid maps only its root user)"
        : " (the id is outside the container's mapped range)";

    private static bool SetgroupsDenied()
    {
        try
        {
            return File.ReadAllText("/proc/self/setgroups").Trim() == "deny";
        }
        catch (IOException)
        {
            return false;
        }
    }

    internal static unsafe void Exec(string executable, IReadOnlyList<string> args, IReadOnlyList<string> environment, string command)
    {
        // No descriptor of init's beyond stdio may reach the command: mark every one close-on-exec, the report
        // pipe included (its end-of-file is the success signal).
        if (Libc.close_range(3, uint.MaxValue, (int)Libc.CLOSE_RANGE_CLOEXEC) != 0)
            throw InitStepException.LastError(InitStep.Exec, "close_range");
        using var argv = new NativeStringArray(args);
        using var envp = new NativeStringArray(environment);
        // The runtime ignores SIGPIPE, and an ignored disposition survives execve; the command must get the default.
        var emptyMask = stackalloc byte[128];
        Libc.sigprocmask(Libc.SIG_SETMASK, emptyMask, null);
        Libc.signal(Libc.SIGPIPE, 0);
        Libc.execve(executable, argv.Pointer, envp.Pointer);
        var errno = Marshal.GetLastPInvokeError();
        Libc.signal(Libc.SIGPIPE, 1);
        // ENOENT from an existing file means its interpreter (#!) or loader is missing: still "command not found".
        if (errno == Libc.ENOENT)
            throw new CommandNotFoundException(command);
        throw new InitStepException(InitStep.Exec, errno, $"execute '{executable}'");
    }
}

internal sealed class CommandNotFoundException(string command) : Exception($"'{command}' not found")
{
    public string Command { get; } = command;
}
