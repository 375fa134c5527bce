using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const uint S_IFIFO = 0x1000;
    internal const uint S_IFCHR = 0x2000;
    internal const uint S_IFBLK = 0x6000;

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mknodat(int dirfd, string path, uint mode, ulong dev);

    /// <summary>glibc's makedev: the 64-bit dev_t split of major and minor numbers.</summary>
    internal static ulong MakeDev(uint major, uint minor) =>
        (minor & 0xffUL) | ((major & 0xfffUL) << 8) | ((minor & ~0xffUL) << 12) | ((major & ~0xfffUL) << 32);
}
