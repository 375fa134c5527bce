using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>A new network namespace starts with "lo" down; containers expect 127.0.0.1 to work.</summary>
internal static class Loopback
{
    public static unsafe void BringUp()
    {
        var fd = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw InitStepException.LastError(InitStep.Network, "socket");
        using var socket = new SafeFdHandle(fd);
        var request = new Libc.InterfaceFlagsRequest();
        request.Name[0] = (byte)'l';
        request.Name[1] = (byte)'o';
        if (Libc.ioctl(socket.Fd, Libc.SIOCGIFFLAGS, &request) != 0)
            throw InitStepException.LastError(InitStep.Network, "read the flags of lo");
        request.Flags |= Libc.IFF_UP | Libc.IFF_RUNNING;
        if (Libc.ioctl(socket.Fd, Libc.SIOCSIFFLAGS, &request) != 0)
            throw InitStepException.LastError(InitStep.Network, "bring lo up");
    }
}
