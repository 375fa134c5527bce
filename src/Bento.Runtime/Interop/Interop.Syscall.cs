using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    private static readonly bool IsArm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    // Numbers of the system calls glibc has no wrapper for. Calls added after Linux 5.0 share one number on
    // every architecture; older ones differ (x86-64 first, arm64 second).
    internal static readonly long SYS_pivot_root = IsArm64 ? 41 : 155;
    internal const long SYS_pidfd_send_signal = 424;
    internal const long SYS_pidfd_open = 434;
    internal const long SYS_mount_setattr = 442;

    /// <summary>glibc's variadic syscall(2) with a fixed prototype: its assembly reads six integer registers,
    /// so passing unused zeros is harmless.</summary>
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long syscall6(long number, nint a1, nint a2, nint a3, nint a4, nint a5);
}
