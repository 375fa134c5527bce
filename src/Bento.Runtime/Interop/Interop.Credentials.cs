using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    [LibraryImport(Name)]
    internal static partial uint getuid();

    [LibraryImport(Name)]
    internal static partial uint getgid();

    [LibraryImport(Name)]
    internal static partial uint geteuid();

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setuid(uint uid);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setgid(uint gid);

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int setgroups(nuint count, uint* groups);

    internal const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;

    [StructLayout(LayoutKind.Sequential)]
    internal struct CapUserHeader
    {
        public uint Version;
        public int Pid;
    }

    /// <summary>One 32-bit word of each capability set; version 3 takes two of these (capabilities 0-31, 32-63).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct CapUserData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int capset(CapUserHeader* header, CapUserData* data);
}
