using System.Runtime.InteropServices;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Containers;

/// <summary>
/// An exclusive flock on a container's lock file: held to start the container, by the monitor to record its exit,
/// by a reader settling a lost monitor's record, and to remove it. Compatible with <see cref="Storage.StoreLock"/>
/// (both are flock), but it retries after 0.25 ms growing to 10 ms instead of a flat 10 ms: the monitor's exit
/// record and a Remove right behind it meet here on every short-lived container.
/// </summary>
internal sealed class ContainerLock : IDisposable
{
    private readonly SafeFdHandle _file;

    private ContainerLock(SafeFdHandle file) => _file = file;

    public static ContainerLock Acquire(string path, TimeSpan? timeout = null)
    {
        var file = Libc.OpenHandle(path, Libc.O_RDWR | Libc.O_CREAT, 0b110_000_000);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        var pause = TimeSpan.FromMilliseconds(0.25);
        while (Libc.flock(file.Fd, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EINTR)
                continue;
            if (errno != Libc.EAGAIN || DateTime.UtcNow >= deadline)
            {
                file.Dispose();
                throw new ErrnoException("lock", errno == Libc.EAGAIN ? Libc.EAGAIN : errno, path);
            }
            Thread.Sleep(pause);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.TicksPerMillisecond * 10));
        }
        return new ContainerLock(file);
    }

    public void Dispose() => _file.Dispose();
}
