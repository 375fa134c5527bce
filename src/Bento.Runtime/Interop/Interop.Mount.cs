using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const ulong MS_RDONLY = 0x1;
    internal const ulong MS_NOSUID = 0x2;
    internal const ulong MS_NODEV = 0x4;
    internal const ulong MS_NOEXEC = 0x8;
    internal const ulong MS_SYNCHRONOUS = 0x10;
    internal const ulong MS_REMOUNT = 0x20;
    internal const ulong MS_MANDLOCK = 0x40;
    internal const ulong MS_DIRSYNC = 0x80;
    internal const ulong MS_NOATIME = 0x400;
    internal const ulong MS_NODIRATIME = 0x800;
    internal const ulong MS_BIND = 0x1000;
    internal const ulong MS_REC = 0x4000;
    internal const ulong MS_SILENT = 0x8000;
    internal const ulong MS_UNBINDABLE = 0x20000;
    internal const ulong MS_PRIVATE = 0x40000;
    internal const ulong MS_SLAVE = 0x80000;
    internal const ulong MS_SHARED = 0x100000;
    internal const ulong MS_RELATIME = 0x200000;
    internal const ulong MS_STRICTATIME = 0x1000000;

    internal const int MNT_DETACH = 0x2;

    internal const ulong MOUNT_ATTR_RDONLY = 0x1;
    internal const ulong MOUNT_ATTR_NOSUID = 0x2;
    internal const ulong MOUNT_ATTR_NODEV = 0x4;
    internal const ulong MOUNT_ATTR_NOEXEC = 0x8;
    internal const int AT_RECURSIVE = 0x8000;

    [StructLayout(LayoutKind.Sequential)]
    internal struct MountAttr
    {
        public ulong AttrSet;
        public ulong AttrClear;
        public ulong Propagation;
        public ulong UsernsFd;
    }

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mount(string? source, string target, string? filesystemType, ulong flags, string? data);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int umount2(string target, int flags);

    /// <summary>glibc has no pivot_root wrapper.</summary>
    internal static int pivot_root(string newRoot, string putOld)
    {
        var newRootUtf8 = Marshal.StringToCoTaskMemUTF8(newRoot);
        var putOldUtf8 = Marshal.StringToCoTaskMemUTF8(putOld);
        try
        {
            return (int)syscall6(SYS_pivot_root, newRootUtf8, putOldUtf8, 0, 0, 0);
        }
        finally
        {
            Marshal.FreeCoTaskMem(newRootUtf8);
            Marshal.FreeCoTaskMem(putOldUtf8);
        }
    }

    /// <summary>Linux 5.12: changes mount attributes of a whole tree at once (a recursive read-only bind keeps the
    /// flags the kernel locked in a user namespace, which MS_REMOUNT would have to repeat exactly).</summary>
    internal static unsafe int mount_setattr(int dirfd, string path, int flags, in MountAttr attr)
    {
        var pathUtf8 = Marshal.StringToCoTaskMemUTF8(path);
        var copy = attr;
        try
        {
            return (int)syscall6(SYS_mount_setattr, dirfd, pathUtf8, flags, (nint)(&copy), sizeof(MountAttr));
        }
        finally
        {
            Marshal.FreeCoTaskMem(pathUtf8);
        }
    }
}
