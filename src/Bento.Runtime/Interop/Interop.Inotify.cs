using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const int IN_CLOEXEC = 0x80000;
    internal const int IN_NONBLOCK = 0x800;
    internal const uint IN_MODIFY = 0x2;
    internal const uint IN_CLOSE_WRITE = 0x8;
    internal const uint IN_MOVED_TO = 0x80;
    internal const uint IN_DELETE_SELF = 0x400;

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int inotify_init1(int flags);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int inotify_add_watch(int fd, string path, uint mask);
}
