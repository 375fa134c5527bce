using System.Runtime.InteropServices;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>A failed step of the init stage; it travels to the monitor as a typed report, not as text.</summary>
internal sealed class InitStepException(InitStep step, int errno, string detail) : Exception(detail)
{
    public InitStep Step { get; } = step;
    public int Errno { get; } = errno;

    /// <summary>For a libc call that just failed (SetLastError = true).</summary>
    public static InitStepException LastError(InitStep step, string detail) => new(step, Marshal.GetLastPInvokeError(), detail);

    public static InitStepException From(InitStep step, ErrnoException e) => new(step, e.Errno, e.Operation + (e.PathName is null ? "" : $" '{e.PathName}'"));
}
