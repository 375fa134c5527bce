using System.Runtime.InteropServices;
using Bento.Runtime.Errors;

namespace Bento.Runtime.Interop;

/// <summary>libbentospawn.so (native/bento-spawn): the clone-into-namespaces step C# cannot do itself.
/// Loaded by path, next to the running executable (the monitor) unless $BENTO_SPAWN_LIBRARY says otherwise.</summary>
internal static unsafe class SpawnLibrary
{
    public const string FileName = "libbentospawn.so";
    public const string EnvironmentVariable = "BENTO_SPAWN_LIBRARY";

    /// <summary>struct bento_spawn_request (protocol.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Request
    {
        public uint AbiVersion;
        public uint CloneFlags;
        public fixed int StdioFds[3];
        public int ReportFd;
        public int SyncFd;
        public int ExecFd;
        public uint JoinCount;
        public fixed int JoinFds[Process.SpawnProtocol.MaxJoinNamespaces];
        public int MountNamespaceFd;
        public byte** Argv;
        public byte** Envp;

        /// <summary>A request with the fixed fd layout every spawn shares; callers add namespaces to join.</summary>
        public static Request Create(uint cloneFlags, SafeFdHandle stdin, SafeFdHandle stdout, SafeFdHandle stderr,
            SafeFdHandle report, SafeFdHandle sync, SafeFdHandle image, Process.NativeStringArray argv, Process.NativeStringArray envp)
        {
            var request = new Request
            {
                AbiVersion = Process.SpawnProtocol.AbiVersion,
                CloneFlags = cloneFlags,
                ReportFd = report.Fd,
                SyncFd = sync.Fd,
                ExecFd = image.Fd,
                JoinCount = 0,
                MountNamespaceFd = -1,
                Argv = argv.Pointer,
                Envp = envp.Pointer,
            };
            request.StdioFds[0] = stdin.Fd;
            request.StdioFds[1] = stdout.Fd;
            request.StdioFds[2] = stderr.Fd;
            return request;
        }
    }

    private static delegate* unmanaged<Request*, uint, int> s_spawn;

    /// <summary>Returns the child's pid or a negative errno, exactly as bento_spawn does.</summary>
    public static int Spawn(ref Request request)
    {
        EnsureLoaded();
        fixed (Request* pointer = &request)
            return s_spawn(pointer, (uint)sizeof(Request));
    }

    public static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
            return fromEnvironment;
        var besideExecutable = Path.Combine(AppContext.BaseDirectory, FileName);
        if (File.Exists(besideExecutable))
            return besideExecutable;
        // Exec spawns from the caller's process (pwsh), whose executable is elsewhere: the module folder holds
        // the library next to bento-shim.
        return Path.Combine(Path.GetDirectoryName(Process.ShimLocator.Locate())!, FileName);
    }

    private static void EnsureLoaded()
    {
        if (s_spawn != null)
            return;
        var path = Locate();
        if (!NativeLibrary.TryLoad(path, out var library))
            throw BentoErrors.UnsupportedHost($"The native spawn library '{path}' is missing or cannot be loaded.",
                "Build the module with build.ps1 (it compiles native/bento-spawn with gcc).");
        var size = ((delegate* unmanaged<uint>)NativeLibrary.GetExport(library, "bento_spawn_request_size"))();
        if (size != (uint)sizeof(Request))
            throw BentoErrors.UnsupportedHost($"'{path}' was built from another protocol version (request of {size} bytes, expected {sizeof(Request)}).",
                "Rebuild the module so bento-shim and libbentospawn.so match.");
        s_spawn = (delegate* unmanaged<Request*, uint, int>)NativeLibrary.GetExport(library, "bento_spawn");
    }
}
