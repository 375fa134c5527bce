using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int sethostname(byte* name, nuint length);
}
