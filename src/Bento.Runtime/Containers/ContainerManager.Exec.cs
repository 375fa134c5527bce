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

    private (ContainerFiles Files, ContainerRecord Record, Spec.RuntimeSpec ExecSpec) PrepareExec(string nameOrId, ExecOptions options, bool terminal, string? term)
    {
        var container = Get(nameOrId);
        var files = FilesOf(container.Id);
        if (container.State != ContainerState.Running)
            throw BentoErrors.InvalidContainerState(container.Name,
                $"Container '{container.Name}' is {container.State}; a command can run in it only while it is Running.");
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
