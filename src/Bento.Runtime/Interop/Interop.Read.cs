using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial nint read(int fd, byte* buffer, nuint count);
}
