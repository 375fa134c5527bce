using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const int AT_FDCWD = -100;

    internal const int O_RDONLY = 0x0;
    internal const int O_WRONLY = 0x1;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_CLOEXEC = 0x80000;
    internal const int O_PATH = 0x200000;

    // Two flags differ between architectures: arm, arm64 and powerpc use their own values, the rest asm-generic's.
    private static readonly bool UsesArmOpenFlags = RuntimeInformation.ProcessArchitecture is
        Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le;

    internal static readonly int O_DIRECTORY = UsesArmOpenFlags ? 0x4000 : 0x10000;
    internal static readonly int O_NOFOLLOW = UsesArmOpenFlags ? 0x8000 : 0x20000;

    /// <summary>openat2's RESOLVE_* flags: the kernel refuses to leave the directory or cross a symlink.</summary>
    internal const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    internal const ulong RESOLVE_NO_SYMLINKS = 0x04;
    internal const ulong RESOLVE_BENEATH = 0x08;

    /// <summary>openat2 has the same number on every architecture (it came after the syscall tables were unified).</summary>
    private const long SYS_openat2 = 437;

    [StructLayout(LayoutKind.Sequential)]
    internal struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int openat(int dirfd, string path, int flags, uint mode);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial long syscall_openat2(long number, int dirfd, string path, OpenHow* how, nuint size);

    /// <summary>glibc has no wrapper for openat2 (Linux 5.6); returns -1 with errno ENOSYS on older kernels.</summary>
    internal static unsafe int openat2(int dirfd, string path, in OpenHow how)
    {
        var copy = how;
        return (int)syscall_openat2(SYS_openat2, dirfd, path, &copy, (nuint)sizeof(OpenHow));
    }
}
