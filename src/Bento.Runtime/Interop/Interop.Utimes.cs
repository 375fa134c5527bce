using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int futimens(int fd, Timespec* times);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int utimensat(int dirfd, string path, Timespec* times, int flags);
}
