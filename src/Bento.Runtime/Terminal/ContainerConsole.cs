using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Terminal;

/// <summary>
/// The PTY of a -Tty container's main process, made by the init stage from the container's own devpts (after
/// pivot_root) and handed to the monitor over the console socket, as runc's --console-socket does: the master goes
/// out as SCM_RIGHTS, the slave becomes the command's 0, 1, 2 and controlling terminal.
/// </summary>
internal static class ContainerConsole
{
    /// <summary>Where the monitor puts its end of the console socket in init: the stdin slot, which a -Tty
    /// container's init replaces with the PTY anyway.</summary>
    public const int SocketFd = 0;

    public static readonly Libc.WindowSize DefaultSize = new() { Rows = 24, Columns = 80 };

    /// <summary>Init stage, inside the container.</summary>
    public static unsafe void SetUp(uint ownerUid, uint ownerGid)
    {
        using var master = Libc.OpenHandle("/dev/ptmx", Libc.O_RDWR | Libc.O_NOCTTY);
        int unlock = 0;
        if (Libc.ioctl(master.Fd, Libc.TIOCSPTLCK, &unlock) != 0)
            throw InitStepException.LastError(InitStep.Devices, "unlock the console PTY (TIOCSPTLCK)");
        var slaveFd = Libc.ioctl(master.Fd, Libc.TIOCGPTPEER, (void*)(nint)(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC));
        if (slaveFd < 0)
            throw InitStepException.LastError(InitStep.Devices, "open the console PTY's slave (TIOCGPTPEER)");
        using var slave = new SafeFdHandle(slaveFd);
        var size = DefaultSize;
        Libc.ioctl(master.Fd, Libc.TIOCSWINSZ, &size);
        // The command's user owns its terminal, as on a login.
        Libc.fchown(slave.Fd, ownerUid, ownerGid);
        try
        {
            Libc.SendFd(SocketFd, master.Fd);
        }
        catch (ErrnoException e)
        {
            throw InitStepException.From(InitStep.Devices, e);
        }
        if (Libc.setsid() < 0)
            throw InitStepException.LastError(InitStep.Exec, "setsid");
        for (var fd = 0; fd <= 2; fd++)
        {
            if (Libc.dup2(slave.Fd, fd) < 0)
                throw InitStepException.LastError(InitStep.Exec, $"the console as fd {fd}");
        }
        if (Libc.ioctl(0, Libc.TIOCSCTTY, null) != 0)
            throw InitStepException.LastError(InitStep.Exec, "make the console the controlling terminal (TIOCSCTTY)");
    }
}
