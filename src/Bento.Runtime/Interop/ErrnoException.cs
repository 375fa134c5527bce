using System.Runtime.InteropServices;

namespace Bento.Runtime.Interop;

/// <summary>A failed system call, with the operation and path it was about.</summary>
public sealed class ErrnoException : IOException
{
    public ErrnoException(string operation, int errno, string? path = null)
        : base(Format(operation, errno, path), errno)
    {
        Operation = operation;
        Errno = errno;
        PathName = path;
    }

    public string Operation { get; }
    public int Errno { get; }
    public string? PathName { get; }

    /// <summary>Throws for the errno of the last P/Invoke call (needs SetLastError = true).</summary>
    public static ErrnoException FromLastError(string operation, string? path = null) =>
        new(operation, Marshal.GetLastPInvokeError(), path);

    private static string Format(string operation, int errno, string? path)
    {
        var text = Marshal.GetPInvokeErrorMessage(errno);
        return path is null ? $"{operation} failed: {text} (errno {errno})" : $"{operation} '{path}' failed: {text} (errno {errno})";
    }
}
