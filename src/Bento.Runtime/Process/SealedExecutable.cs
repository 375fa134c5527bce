using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>
/// A sealed in-memory copy of the running executable, for the init stage to be executed from.
/// </summary>
/// <remarks>
/// runc CVE-2019-5736: a container process that can open /proc/&lt;pid&gt;/exe of a runtime process executing a
/// host binary can write that binary. The init stage therefore never runs the host's file: it runs a memfd
/// whose contents are sealed against writes, shrinking and growing before anything in the container exists.
/// </remarks>
internal static class SealedExecutable
{
    public static SafeFdHandle OfCurrentProcess() => Of("/proc/self/exe");

    public static unsafe SafeFdHandle Of(string path)
    {
        using var source = Libc.OpenHandle(path, Libc.O_RDONLY);
        var memfd = Libc.memfd_create("bento-shim", Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING);
        if (memfd < 0)
            throw ErrnoException.FromLastError("memfd_create");
        var copy = new SafeFdHandle(memfd);
        try
        {
            while (true)
            {
                // sendfile copies inside the kernel; NULL offset advances the source's own position.
                var sent = Libc.sendfile(copy.Fd, source.Fd, null, 1 << 30);
                if (sent < 0)
                {
                    if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                    throw ErrnoException.FromLastError("sendfile", path);
                }
                if (sent == 0) break;
            }
            var seals = Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE;
            if (Libc.fcntl(copy.Fd, Libc.F_ADD_SEALS, seals) < 0)
                throw ErrnoException.FromLastError("fcntl(F_ADD_SEALS)", path);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }
}
