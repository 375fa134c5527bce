using Bento.Runtime.Interop;

namespace Bento.Runtime.Terminal;

/// <summary>
/// A PTY from the container's own devpts instance (its /dev/pts, mounted newinstance by init), opened from outside
/// through /proc/&lt;pid&gt;/root, as runc's console socket would hand it over from inside. The slave is a
/// /dev/pts/N that exists in the container, so tty(1), ps and job control see a real terminal there, and no
/// device of the host's devpts reaches the container.
/// </summary>
internal sealed class ContainerPty : IDisposable
{
    private ContainerPty(SafeFdHandle master, SafeFdHandle slave)
    {
        Master = master;
        Slave = slave;
    }

    public SafeFdHandle Master { get; }
    /// <summary>Becomes the command's 0, 1 and 2; the caller closes its copy once the command runs, so the master
    /// reads EIO when the last process on the terminal is gone.</summary>
    public SafeFdHandle Slave { get; }

    public static unsafe ContainerPty Open(int containerPid)
    {
        using var root = Libc.OpenHandle($"/proc/{containerPid}/root", Libc.O_PATH | Libc.O_DIRECTORY);
        // The container owns every name under its root: resolve as if its root were "/", symlinks included, and
        // never through a magic link, so no path it plants can lead to a host file.
        var how = new Libc.OpenHow
        {
            Flags = (ulong)(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC),
            Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS,
        };
        var fd = Libc.openat2(root.Fd, "dev/pts/ptmx", how);
        if (fd < 0)
            throw ErrnoException.FromLastError("open the container's /dev/pts/ptmx");
        var master = new SafeFdHandle(fd);
        try
        {
            // Only a PTY master answers TIOCGPTN: whatever else the container put there is refused here.
            uint number;
            if (Libc.ioctl(master.Fd, Libc.TIOCGPTN, &number) != 0)
                throw ErrnoException.FromLastError("the container's /dev/pts/ptmx is not a PTY multiplexer (TIOCGPTN)");
            int unlock = 0;
            if (Libc.ioctl(master.Fd, Libc.TIOCSPTLCK, &unlock) != 0)
                throw ErrnoException.FromLastError("unlock the PTY (TIOCSPTLCK)");
            var slave = Libc.ioctl(master.Fd, Libc.TIOCGPTPEER, (void*)(nint)(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC));
            if (slave < 0)
                throw ErrnoException.FromLastError("open the PTY's slave (TIOCGPTPEER)");
            return new ContainerPty(master, new SafeFdHandle(slave));
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Slave.Dispose();
        Master.Dispose();
    }
}
