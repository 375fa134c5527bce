using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    /// <summary>open(2) that always adds O_CLOEXEC and returns an owned handle, or throws with the path.</summary>
    internal static SafeFdHandle OpenHandle(string path, int flags, uint mode = 0)
    {
        var fd = openat(AT_FDCWD, path, flags | O_CLOEXEC, mode);
        if (fd < 0)
            throw ErrnoException.FromLastError("open", path);
        return new SafeFdHandle(fd);
    }

    internal static void SetCloseOnExec(int fd)
    {
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
            throw ErrnoException.FromLastError($"fcntl(F_SETFD) of fd {fd}");
    }

    internal static bool IsCloseOnExec(int fd) => (fcntl(fd, F_GETFD, 0) & FD_CLOEXEC) != 0;

    /// <summary>Writes all of <paramref name="data"/>, retrying short writes and EINTR.</summary>
    internal static unsafe void WriteAll(int fd, ReadOnlySpan<byte> data, string what)
    {
        fixed (byte* start = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var wrote = write(fd, start + done, (nuint)(data.Length - done));
                if (wrote < 0)
                {
                    if (Marshal.GetLastPInvokeError() == EINTR) continue;
                    throw ErrnoException.FromLastError("write", what);
                }
                done += (int)wrote;
            }
        }
    }
}
