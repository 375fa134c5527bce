using Bento.Runtime.Process;

namespace Bento.Shim;

/// <summary>
/// bento-shim: one binary, two roles.
/// <list type="bullet">
/// <item><c>run &lt;container dir&gt;</c> — the monitor: one per running container, detached from whoever started it.</item>
/// <item><c>init &lt;container dir&gt;</c> — the init stage, executed by the native spawn step inside the new namespaces.</item>
/// <item><c>exec &lt;container dir&gt;</c> — an interactive exec on a PTY, relayed to the caller's terminal (Enter-BentoContainer).</item>
/// <item><c>attach &lt;container dir&gt;</c> — the caller's terminal on a -Tty container's PTY, until it ends or Ctrl+P Ctrl+Q.</item>
/// <item><c>exec-init</c> — the exec stage, executed by the native spawn step inside a running container's namespaces.</item>
/// <item><c>delete-dir &lt;path&gt;</c> — deletes a container's directory as the calling user, as Remove-BentoContainer
/// does in-process (subordinate-owned files included), for callers without pwsh such as the tests' other users.</item>
/// <item><c>remove-tree &lt;path&gt;</c> — deletes a rootless container's directory inside a user namespace with its mappings (<see cref="MappedDelete"/>).</item>
/// </list>
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "run")
            return Monitor.Run(args[1]);
        if (args.Length == 2 && args[0] == "init")
            return InitStage.Run(args[1]);
        if (args.Length == 2 && args[0] == "exec")
            return Bento.Runtime.Terminal.InteractiveExec.Run(args[1]);
        if (args.Length == 2 && args[0] == "attach")
            return Bento.Runtime.Terminal.AttachSession.Run(args[1]);
        if (args.Length == 1 && args[0] == "exec-init")
            return ExecInitStage.Run();
        if (args.Length == 2 && args[0] == MappedDelete.ShimMode)
            return MappedDelete.RunInside(args[1]);
        if (args.Length == 2 && args[0] == "delete-dir")
            return DeleteContainerDirectory(args[1]);
        Console.Error.WriteLine("usage: bento-shim run <container-dir>   (started by Start-BentoContainer)");
        Console.Error.WriteLine("       bento-shim init <container-dir>  (started by the monitor, inside the container)");
        return 2;
    }

    private static int DeleteContainerDirectory(string path)
    {
        try
        {
            Bento.Runtime.Containers.ContainerDirectories.Delete(Path.GetFullPath(path));
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Bento.Runtime.Errors.BentoException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
