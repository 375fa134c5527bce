using Bento.Runtime.Interop;

namespace Bento.Runtime.Containers;

/// <summary>Wakes a waiter when a file in a container directory is written or renamed into place (state.json,
/// log.jsonl), so Wait and log following react at once instead of on a polling tick.</summary>
internal sealed class StateWatcher : IDisposable
{
    private readonly SafeFdHandle _inotify;

    private StateWatcher(SafeFdHandle inotify) => _inotify = inotify;

    /// <summary>Null when inotify is unavailable (instance limit); callers then just sleep between checks.</summary>
    public static StateWatcher? TryCreate(string directory)
    {
        var fd = Libc.inotify_init1(Libc.IN_CLOEXEC | Libc.IN_NONBLOCK);
        if (fd < 0)
            return null;
        var handle = new SafeFdHandle(fd);
        if (Libc.inotify_add_watch(fd, directory, Libc.IN_MOVED_TO | Libc.IN_CLOSE_WRITE | Libc.IN_MODIFY | Libc.IN_DELETE_SELF) < 0)
        {
            handle.Dispose();
            return null;
        }
        return new StateWatcher(handle);
    }

    /// <summary>Returns after an event or the timeout, whichever is first.</summary>
    public static unsafe void WaitForChange(StateWatcher? watcher, TimeSpan timeout)
    {
        var milliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        if (watcher is null)
        {
            Thread.Sleep(Math.Min(milliseconds, 50));
            return;
        }
        var poll = new Libc.PollFd { Fd = watcher._inotify.Fd, Events = Libc.POLLIN };
        if (Libc.poll(&poll, 1, milliseconds) > 0)
        {
            var buffer = stackalloc byte[4096];
            while (Libc.read(watcher._inotify.Fd, buffer, 4096) > 0)
            {
            }
        }
    }

    public void Dispose() => _inotify.Dispose();
}
