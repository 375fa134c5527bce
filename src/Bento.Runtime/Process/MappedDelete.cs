using System.Runtime.InteropServices;
using System.Text;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>
/// Deletes a directory tree from inside a user namespace that maps a rootless container's ids. What a container's
/// non-root users wrote lands in its upper dir owned by the user's subordinate ids, which the user cannot unlink
/// from the host; in a namespace with the container's mappings the user is root over exactly those ids.
/// <code>
///  caller                                native child (spawn.c)              bento-shim remove-tree &lt;path&gt;
///  bento_spawn(CLONE_NEWUSER) ─────────▶ fds → 0 1 2 | 3 report | 4 memfd
///  maps: newuidmap/newgidmap             read(sync) ... blocks
///  write GO ───────────────────────────▶ execveat(memfd) ──────────────────▶ root in the namespace: delete the tree,
///  read(report) until end-of-file ◀──────────────────────────────────────── exit (0, or 1 with a line on stderr)
/// </code>
/// Only a user namespace: the helper shares the caller's mounts, and the caller has unmounted everything below.
/// </summary>
internal static class MappedDelete
{
    public const string ShimMode = "remove-tree";

    public static void Run(string path, IReadOnlyList<SpecIdMapping> uidMappings, IReadOnlyList<SpecIdMapping> gidMappings)
    {
        path = Path.GetFullPath(path);
        using var stdin = Libc.OpenHandle("/dev/null", Libc.O_RDONLY);
        using var stdout = Libc.OpenHandle("/dev/null", Libc.O_WRONLY);
        var (stderrRead, stderrWrite) = Libc.Pipe();
        var (reportRead, reportWrite) = Libc.Pipe();
        var (syncRead, syncWrite) = Libc.Pipe();
        var pid = 0;
        try
        {
            using (var argv = new NativeStringArray([ShimLocator.FileName, ShimMode, path]))
            using (var envp = new NativeStringArray([]))
            {
                var image = ExecLauncher.SealedShim();
                pid = SpawnThread.Invoke(() => Spawn(image, stdin, stdout, stderrWrite, reportWrite, syncRead, argv, envp));
            }
            if (pid <= 0)
                throw Failed(path, $"creating a user namespace failed: {Marshal.GetPInvokeErrorMessage(-pid)} (errno {-pid})");
            // Only the child may hold these now, or end-of-file would never come.
            stderrWrite.Dispose();
            reportWrite.Dispose();
            syncRead.Dispose();

            IdMaps.Write(pid, uidMappings, gidMappings);
            Libc.WriteAll(syncWrite.Fd, [SpawnProtocol.SyncGo], "sync pipe");
            syncWrite.Dispose();

            // The helper keeps the report pipe until it exits; a message means the spawn step itself failed.
            var failure = ReportMessage.Read(reportRead);
            var error = ReadToEnd(stderrRead).Trim();
            var status = Reap(pid);
            pid = 0;
            if (failure is { } message)
                throw Failed(path, $"the spawn step {message.Step} failed: {Marshal.GetPInvokeErrorMessage(message.Error)} (errno {message.Error})");
            // The tree's absence is the proof (a host that reaps every child may have taken the exit status).
            if (Directory.Exists(path) || File.Exists(path))
                throw Failed(path, error.Length > 0 ? error : $"the helper exited with status {status}");
        }
        finally
        {
            if (pid > 0)
                ContainerLauncher.KillAndReap(pid);
            stderrRead.Dispose();
            stderrWrite.Dispose();
            reportRead.Dispose();
            reportWrite.Dispose();
            syncRead.Dispose();
            syncWrite.Dispose();
        }
    }

    /// <summary>The helper's side, in bento-shim: root in the namespace, so every mapped owner's file can go.</summary>
    public static int RunInside(string path)
    {
        try
        {
            // Symlinks are unlinked, never followed; the caller made sure nothing is mounted below.
            Directory.Delete(path, recursive: true);
            return 0;
        }
        catch (DirectoryNotFoundException) when (!Path.Exists(path))
        {
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    private static unsafe int Spawn(SafeFdHandle image, SafeFdHandle stdin, SafeFdHandle stdout, SafeFdHandle stderr,
        SafeFdHandle report, SafeFdHandle sync, NativeStringArray argv, NativeStringArray envp)
    {
        var request = SpawnLibrary.Request.Create(Namespaces.User.CloneFlag, stdin, stdout, stderr, report, sync, image, argv, envp);
        return SpawnLibrary.Spawn(ref request);
    }

    private static unsafe string ReadToEnd(SafeFdHandle pipe)
    {
        var bytes = new List<byte>();
        var buffer = stackalloc byte[4096];
        while (true)
        {
            var got = Libc.read(pipe.Fd, buffer, 4096);
            if (got < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                continue;
            if (got <= 0)
                break;
            bytes.AddRange(new ReadOnlySpan<byte>(buffer, (int)got));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>An IOException, as any other failed delete of a container directory.</summary>
    private static IOException Failed(string path, string why) =>
        new($"'{path}' holds files owned by the container's subordinate ids and could not be deleted in its user namespace: {why}.");

    private static unsafe int Reap(int pid)
    {
        int status;
        int result;
        while ((result = Libc.waitpid(pid, &status, 0)) < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
        {
        }
        return result < 0 ? -1 : Libc.ExitCodeOf(status);
    }
}
