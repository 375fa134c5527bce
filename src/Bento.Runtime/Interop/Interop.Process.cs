using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const int ESRCH = 3;
    internal const int EBADF = 9;
    internal const int ECHILD = 10;
    internal const int EAGAIN = 11;
    internal const int EBUSY = 16;
    internal const int EPIPE = 32;

    internal const int SIGKILL = 9;
    internal const int SIGPIPE = 13;
    internal const int SIGTERM = 15;

    internal const int WNOHANG = 1;

    internal const int PR_SET_PDEATHSIG = 1;
    internal const int PR_SET_KEEPCAPS = 8;
    internal const int PR_CAPBSET_DROP = 24;
    internal const int PR_SET_NO_NEW_PRIVS = 38;
    internal const int PR_CAP_AMBIENT = 47;
    internal const int PR_CAP_AMBIENT_RAISE = 2;
    internal const int PR_CAP_AMBIENT_CLEAR_ALL = 4;

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int getpid();

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setsid();

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int kill(int pid, int signal);

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int execve(string path, byte** argv, byte** envp);

    /// <summary>Returns the previous handler; SIG_DFL is 0.</summary>
    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint signal(int signal, nint handler);

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial int sigprocmask(int how, byte* set, byte* oldSet);

    internal const int SIG_SETMASK = 2;

    /// <summary>A descriptor that names one process for ever: it cannot come to mean a recycled pid.</summary>
    internal static int pidfd_open(int pid) => (int)syscall6(SYS_pidfd_open, pid, 0, 0, 0, 0);

    internal static int pidfd_send_signal(int pidfd, int signal) => (int)syscall6(SYS_pidfd_send_signal, pidfd, signal, 0, 0, 0);

    /// <summary>Decodes a wait status the way shells do: the exit code, or 128 + the signal that ended it.</summary>
    internal static int ExitCodeOf(int waitStatus)
    {
        var terminatingSignal = waitStatus & 0x7f;
        return terminatingSignal == 0 ? (waitStatus >> 8) & 0xff : 128 + terminatingSignal;
    }
}
