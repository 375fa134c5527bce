using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const ulong RLIM_INFINITY = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Rlimit
    {
        public ulong Soft;
        public ulong Hard;
    }

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int prlimit(int pid, int resource, Rlimit* newLimit, Rlimit* oldLimit);
}
