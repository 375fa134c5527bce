using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, SetLastError = true)]
    internal static partial int fchmod(int fd, uint mode);

    /// <summary>Follows a final symlink (AT_SYMLINK_NOFOLLOW is unsupported before fchmodat2): use it only on
    /// names known not to be symlinks.</summary>
    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int fchmodat(int dirfd, string path, uint mode, int flags);
}
