using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    // asm-generic ioctl numbers (x86-64 and arm64 share them).
    internal const ulong TIOCSCTTY = 0x540E;
    internal const ulong TIOCGWINSZ = 0x5413;
    internal const ulong TIOCSWINSZ = 0x5414;
    internal const ulong TIOCGPTN = 0x80045430;
    internal const ulong TIOCSPTLCK = 0x40045431;
    /// <summary>Opens a PTY's slave from its master, without a path lookup (Linux 4.13).</summary>
    internal const ulong TIOCGPTPEER = 0x5441;

    /// <summary>openat2: resolve as if the directory were the root ("/" and "..", absolute symlinks stay inside).</summary>
    internal const ulong RESOLVE_IN_ROOT = 0x10;

    internal const int TCSANOW = 0;
    internal const int TCSADRAIN = 1;

    /// <summary>struct termios as glibc defines it on Linux (60 bytes); kept whole and opaque so a restore puts
    /// back exactly what was there.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct Termios
    {
        public uint InputFlags;
        public uint OutputFlags;
        public uint ControlFlags;
        public uint LocalFlags;
        public byte LineDiscipline;
        public fixed byte ControlCharacters[32];
        public uint InputSpeed;
        public uint OutputSpeed;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct WindowSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort PixelWidth;
        public ushort PixelHeight;
    }

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int tcgetattr(int fd, Termios* termios);

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int tcsetattr(int fd, int when, Termios* termios);

    [LibraryImport(Name)]
    internal static unsafe partial void cfmakeraw(Termios* termios);

    [LibraryImport(Name)]
    internal static partial int isatty(int fd);
}
