using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const int AF_INET = 2;
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_CLOEXEC = 0x80000;

    internal const ulong SIOCGIFFLAGS = 0x8913;
    internal const ulong SIOCSIFFLAGS = 0x8914;
    internal const short IFF_UP = 0x1;
    internal const short IFF_RUNNING = 0x40;

    /// <summary>struct ifreq for the flag requests: a 16-byte interface name, then the flags, padded to 40 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    internal unsafe struct InterfaceFlagsRequest
    {
        [FieldOffset(0)] public fixed byte Name[16];
        [FieldOffset(16)] public short Flags;
    }

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int ioctl(int fd, ulong request, void* argument);
}
