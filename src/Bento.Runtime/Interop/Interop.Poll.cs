using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const short POLLIN = 0x1;
    internal const short POLLERR = 0x8;
    internal const short POLLHUP = 0x10;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;

        /// <summary>Readable, or at end (hang-up, error): either way a read will not block.</summary>
        public readonly bool IsReady => (ReturnedEvents & (POLLIN | POLLHUP | POLLERR)) != 0;
    }

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    /// <summary>Waits without a timeout until one descriptor is ready; a signal (EINTR) just waits again.</summary>
    internal static unsafe void PollForever(PollFd* fds, int count)
    {
        while (poll(fds, (nuint)count, -1) < 0)
        {
            if (Marshal.GetLastPInvokeError() != EINTR)
                throw ErrnoException.FromLastError("poll");
        }
    }
}
