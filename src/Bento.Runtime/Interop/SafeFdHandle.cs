using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

/// <summary>Owns one Linux file descriptor; -1 means none (fd 0 is a real descriptor).</summary>
public sealed class SafeFdHandle : SafeHandle
{
    public SafeFdHandle() : base(new IntPtr(-1), ownsHandle: true) { }

    public SafeFdHandle(int fd, bool ownsHandle = true) : base(new IntPtr(-1), ownsHandle) => SetHandle(fd);

    public int Fd => (int)DangerousGetHandle();

    public override bool IsInvalid => handle == new IntPtr(-1);

    protected override bool ReleaseHandle() => Libc.close((int)handle) == 0;
}

internal static partial class Libc
{
    [LibraryImport(Name, SetLastError = true)]
    internal static partial int close(int fd);
}
