using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const int O_RDWR = 0x2;
    internal const int O_NOCTTY = 0x100;
    internal const int O_APPEND = 0x400;

    internal const int F_GETFD = 1;
    internal const int F_SETFD = 2;
    internal const int FD_CLOEXEC = 1;
    internal const int F_ADD_SEALS = 1033;
    internal const int F_GET_SEALS = 1034;
    internal const int F_SEAL_SEAL = 0x1;
    internal const int F_SEAL_SHRINK = 0x2;
    internal const int F_SEAL_GROW = 0x4;
    internal const int F_SEAL_WRITE = 0x8;

    /// <summary>fcntl with an int argument (every command used here takes one or none).</summary>
    [LibraryImport(Name, SetLastError = true)]
    internal static partial int fcntl(int fd, int command, int argument);

    internal const uint CLOSE_RANGE_CLOEXEC = 0x4;

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int close_range(uint first, uint last, int flags);
}
