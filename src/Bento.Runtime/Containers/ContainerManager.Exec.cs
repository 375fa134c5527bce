using Bento.Runtime.Errors;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// Starts <paramref name="options"/>' command inside the running container <paramref name="nameOrId"/>: every
    /// namespace of the container, its root, its capabilities and no_new_privs, its environment plus the options'.
    /// Returns once the command runs. Throws ContainerNotFound, InvalidContainerState (not running),
    /// CommandNotFound, InvalidArgument, or ContainerExecFailed.
    /// </summary>
    public ExecProcess StartExec(string nameOrId, ExecOptions options)
    {
        var (files, record, execSpec) = PrepareExec(nameOrId, options, terminal: false, term: null);
        var (stdinRead, stdinWrite) = Libc.Pipe();
        var (stdoutRead, stdoutWrite) = Libc.Pipe();
        var (stderrRead, stderrWrite) = Libc.Pipe();
        try
        {
            int pid;
            using (stdinRead)
            using (stdoutWrite)
            using (stderrWrite)
                pid = ExecLauncher.Launch(files, record, execSpec, stdinRead, stdoutWrite, stderrWrite);
            return new ExecProcess(pid, stdinWrite, stdoutRead, stderrRead);
        }
        catch
        {
            stdinWrite.Dispose();
            stdoutRead.Dispose();
            stderrRead.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="options"/>' command in the container on a PTY of the container's, connected to the
    /// caller's terminal (stdin/stdout are inherited, raw mode while it runs, window size kept in step, the terminal
    /// restored exactly on the way out). Blocks until the command ends and returns its exit code. Throws like
    /// <see cref="StartExec"/>. Ctrl+C and friends go to the command, not to the caller.
    /// </summary>
    public int RunInteractive(string nameOrId, ExecOptions options)
    {
        var (files, _, execSpec) = PrepareExec(nameOrId, options, terminal: true, term: System.Environment.GetEnvironmentVariable("TERM"));
        var start = new System.Diagnostics.ProcessStartInfo(ShimLocator.Locate())
        {
            UseShellExecute = false,
            // stdin and stdout stay the caller's terminal; stderr carries only the helper's own failure line.
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(files.Directory);
        start.Environment[ExecInitStage.SpecVariable] = System.Text.Json.JsonSerializer.Serialize(execSpec, ContainerJsonContext.Default.RuntimeSpec);
        return RunTerminalHelper(start, nameOrId).ExitCode;
    }

    /// <summary>
    /// Connects the caller's terminal to a -Tty container's PTY (Start-BentoContainer -Attach, after Start): raw
    /// mode, window size, the last output replayed. Blocks until the container ends — returns its exit code — or the
    /// user types Ctrl+P Ctrl+Q — returns null and the container keeps running. Throws ContainerNotFound, or
    /// InvalidContainerState when it is not running or was not created with -Tty.
    /// </summary>
    public int? Attach(string nameOrId)
    {
        var container = Get(nameOrId);
        var start = new System.Diagnostics.ProcessStartInfo(ShimLocator.Locate())
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        start.ArgumentList.Add("attach");
        start.ArgumentList.Add(FilesOf(container.Id).Directory);
        var (exitCode, detached) = RunTerminalHelper(start, container.Name);
        return detached ? null : exitCode;
    }

    /// <summary>Runs a bento-shim that owns the caller's terminal (stdin and stdout inherited); its stderr carries
    /// only its own verdict: a failure line or "detached".</summary>
    private static (int ExitCode, bool Detached) RunTerminalHelper(System.Diagnostics.ProcessStartInfo start, string target)
    {
        using var helper = System.Diagnostics.Process.Start(start)
            ?? throw new BentoException(ExecLauncher.ExecFailed, BentoErrorCategory.InvalidOperation, $"{ShimLocator.FileName} did not start.", target);
        var errors = helper.StandardError.ReadToEndAsync();
        helper.WaitForExit();
        var detached = false;
        foreach (var line in errors.GetAwaiter().GetResult().Split('\n'))
        {
            if (ExecFailure.Parse(line) is { } failure)
                throw failure;
            detached |= line == Terminal.AttachSession.DetachedLine;
        }
        return (helper.ExitCode, detached);
    }

    private (ContainerFiles Files, ContainerRecord Record, Spec.RuntimeSpec ExecSpec) PrepareExec(string nameOrId, ExecOptions options, bool terminal, string? term)
    {
        var container = Get(nameOrId);
        var files = FilesOf(container.Id);
        if (container.State != ContainerState.Running)
            throw BentoErrors.ContainerNotRunning(container.Name, container.State);
        ContainerRecord record;
        Spec.RuntimeSpec spec;
        try
        {
            record = files.ReadRecord();
            spec = files.ReadSpec();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw BentoErrors.ContainerNotFound(nameOrId);
        }
        return (files, record, ExecSpecBuilder.Build(spec, options, terminal, term));
    }
}
