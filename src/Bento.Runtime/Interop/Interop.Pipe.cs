using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const int O_NONBLOCK = 0x800;

    [LibraryImport(Name, SetLastError = true)]
    private static unsafe partial int pipe2(int* fds, int flags);

    /// <summary>A close-on-exec pipe, both ends owned.</summary>
    internal static unsafe (SafeFdHandle Read, SafeFdHandle Write) Pipe()
    {
        var fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            throw ErrnoException.FromLastError("pipe2");
        return (new SafeFdHandle(fds[0]), new SafeFdHandle(fds[1]));
    }
}
