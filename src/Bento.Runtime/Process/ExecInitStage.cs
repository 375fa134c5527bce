using System.Text.Json;
using Bento.Runtime.Containers;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>
/// <c>bento-shim exec-init</c>: the setns counterpart of <see cref="InitStage"/> (runc's setns_init next to its
/// standard_init). The native spawn step has joined the container's user, pid, network, ipc, uts and cgroup
/// namespaces and forked into the pid namespace; join-mount.c joined the mount namespace before Main, so the root
/// and working directory are the container's. Nothing is mounted here: the container's world exists already.
/// What remains is the process: session and terminal, rlimits, user, environment, working directory, the same
/// capabilities and no_new_privs as the container's command, then execve.
/// </summary>
internal static class ExecInitStage
{
    /// <summary>The exec's process, as an OCI runtime spec (container's spec with the exec's process), in the
    /// stage's environment: not on its command line, which every process in the container could read.</summary>
    public const string SpecVariable = "BENTO_EXEC_SPEC";

    public static int Run() => InitStage.RunReporting(Execute);

    private static void Execute()
    {
        var spec = ReadSpec();
        var process = spec.Process;
        if (process.Terminal)
            TakeTerminal();
        ResourceLimits.Apply(process.Rlimits);

        var userText = spec.Annotations?.GetValueOrDefault(Containers.Spec.SpecAnnotations.User);
        var user = ContainerUser.Resolve(userText, process.User.Uid, process.User.Gid);
        var environment = process.Env.ToList();
        if (!environment.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
            environment.Add("HOME=" + (string.IsNullOrEmpty(user.Home) ? "/" : user.Home));

        if (Libc.chdir(process.Cwd) != 0)
            throw InitStepException.LastError(InitStep.WorkingDirectory, $"chdir to the working directory '{process.Cwd}'");

        var args = process.Args;
        if (args.Count == 0)
            throw new InitStepException(InitStep.Exec, Libc.EINVAL, "the exec has no command");
        var executable = CommandLookup.Find(args[0], environment) ?? throw new CommandNotFoundException(args[0]);

        InitStage.DropPrivileges(spec, user);
        InitStage.Exec(executable, args, environment, args[0]);
    }

    private static Containers.Spec.RuntimeSpec ReadSpec()
    {
        var json = Environment.GetEnvironmentVariable(SpecVariable);
        if (string.IsNullOrEmpty(json))
            throw new InitStepException(InitStep.ReadSpec, Libc.EINVAL, $"${SpecVariable} is not set");
        try
        {
            return JsonSerializer.Deserialize(json, ContainerJsonContext.Default.RuntimeSpec)
                ?? throw new InitStepException(InitStep.ReadSpec, Libc.EINVAL, "the exec spec is JSON null");
        }
        catch (JsonException e)
        {
            throw new InitStepException(InitStep.ReadSpec, Libc.EINVAL, $"read the exec spec: {e.Message}");
        }
    }

    /// <summary>A session of its own whose controlling terminal is the PTY slave on stdin, so the shell gets job
    /// control, and Ctrl+C typed on the user's terminal becomes SIGINT for its foreground group.</summary>
    private static unsafe void TakeTerminal()
    {
        if (Libc.setsid() < 0)
            throw InitStepException.LastError(InitStep.Exec, "setsid");
        if (Libc.ioctl(0, Libc.TIOCSCTTY, null) != 0)
            throw InitStepException.LastError(InitStep.Exec, "make the PTY the controlling terminal (TIOCSCTTY)");
    }
}
