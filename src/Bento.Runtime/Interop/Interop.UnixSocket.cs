using System.Runtime.InteropServices;
using System.Text;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const int AF_UNIX = 1;
    internal const int SOCK_STREAM = 1;
    internal const int SOL_SOCKET = 1;
    internal const int SCM_RIGHTS = 1;
    internal const int MSG_CMSG_CLOEXEC = 0x40000000;

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr carrying one descriptor: CMSG_SPACE(sizeof(int)) on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FdControlMessage
    {
        public nuint Length;
        public int Level;
        public int Type;
        public int Fd;
        private int _padding;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct UnixAddress
    {
        public ushort Family;
        public fixed byte Path[108];
    }

    [LibraryImport(Name, SetLastError = true)]
    private static unsafe partial int socketpair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial nint sendmsg(int fd, MessageHeader* message, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial nint recvmsg(int fd, MessageHeader* message, int flags);

    [LibraryImport(Name, SetLastError = true)]
    private static unsafe partial int bind(int fd, UnixAddress* address, uint length);

    [LibraryImport(Name, SetLastError = true)]
    private static unsafe partial int connect(int fd, UnixAddress* address, uint length);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int listen(int fd, int backlog);

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int accept4(int fd, void* address, void* length, int flags);

    /// <summary>A close-on-exec pair of connected stream sockets.</summary>
    internal static unsafe (SafeFdHandle, SafeFdHandle) SocketPair()
    {
        var fds = stackalloc int[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            throw ErrnoException.FromLastError("socketpair");
        return (new SafeFdHandle(fds[0]), new SafeFdHandle(fds[1]));
    }

    /// <summary>A listening AF_UNIX socket at <paramref name="path"/> (close-on-exec).</summary>
    internal static unsafe SafeFdHandle ListenUnix(string path)
    {
        var fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw ErrnoException.FromLastError("socket");
        var handle = new SafeFdHandle(fd);
        var address = Address(path);
        if (bind(fd, &address, (uint)sizeof(UnixAddress)) != 0 || listen(fd, 4) != 0)
        {
            handle.Dispose();
            throw ErrnoException.FromLastError("listen", path);
        }
        return handle;
    }

    internal static unsafe SafeFdHandle ConnectUnix(string path)
    {
        var fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw ErrnoException.FromLastError("socket");
        var handle = new SafeFdHandle(fd);
        var address = Address(path);
        if (connect(fd, &address, (uint)sizeof(UnixAddress)) != 0)
        {
            handle.Dispose();
            throw ErrnoException.FromLastError("connect", path);
        }
        return handle;
    }

    /// <summary>sun_path holds 107 bytes; a long directory is reached through /proc/self/fd/&lt;dir fd&gt;/ instead.</summary>
    private static unsafe UnixAddress Address(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length > 107)
            throw new ErrnoException("unix socket path", ENAMETOOLONG, path);
        var address = new UnixAddress { Family = AF_UNIX };
        for (var i = 0; i < bytes.Length; i++)
            address.Path[i] = bytes[i];
        return address;
    }

    /// <summary>Sends one descriptor (SCM_RIGHTS) with a one-byte message.</summary>
    internal static unsafe void SendFd(int socket, int fd)
    {
        byte payload = 0;
        var vector = new IoVector { Base = &payload, Length = 1 };
        var control = new FdControlMessage { Length = (nuint)(sizeof(nuint) + 2 * sizeof(int) + sizeof(int)), Level = SOL_SOCKET, Type = SCM_RIGHTS, Fd = fd };
        var message = new MessageHeader { Vectors = &vector, VectorCount = 1, Control = &control, ControlLength = (nuint)sizeof(FdControlMessage) };
        while (sendmsg(socket, &message, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() != EINTR)
                throw ErrnoException.FromLastError("sendmsg(SCM_RIGHTS)");
        }
    }

    /// <summary>Receives one descriptor sent by <see cref="SendFd"/>, close-on-exec; null at end-of-file.</summary>
    internal static unsafe SafeFdHandle? ReceiveFd(int socket)
    {
        byte payload = 0;
        var vector = new IoVector { Base = &payload, Length = 1 };
        var control = new FdControlMessage();
        var message = new MessageHeader { Vectors = &vector, VectorCount = 1, Control = &control, ControlLength = (nuint)sizeof(FdControlMessage) };
        nint got;
        while ((got = recvmsg(socket, &message, MSG_CMSG_CLOEXEC)) < 0)
        {
            if (Marshal.GetLastPInvokeError() != EINTR)
                throw ErrnoException.FromLastError("recvmsg(SCM_RIGHTS)");
        }
        if (got == 0 || message.ControlLength < (nuint)(sizeof(nuint) + 3 * sizeof(int)) || control.Level != SOL_SOCKET || control.Type != SCM_RIGHTS)
            return null;
        return new SafeFdHandle(control.Fd);
    }
}
