using System.Runtime.InteropServices;
using System.Text;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>One message on the report pipe (struct bento_msg_header in host byte order + UTF-8 detail). End-of-file instead of a
/// message means success: the container's command replaced the last writer.</summary>
internal readonly record struct ReportMessage(ReportKind Kind, int Step, int Error, string Detail)
{
    public static ReportMessage InitFailed(InitStep step, int error, string detail) => new(ReportKind.InitFailed, (int)step, error, detail);

    public static ReportMessage CommandNotFound(string command) => new(ReportKind.CommandNotFound, (int)InitStep.Exec, Libc.ENOENT, command);

    public byte[] Encode()
    {
        var detail = Encoding.UTF8.GetBytes(Detail);
        if (detail.Length > SpawnProtocol.MaxDetailLength)
            detail = detail[..SpawnProtocol.MaxDetailLength];
        var bytes = new byte[SpawnProtocol.MessageHeaderSize + detail.Length];
        var span = bytes.AsSpan();
        MemoryMarshal.Write(span, SpawnProtocol.MessageMagic);
        MemoryMarshal.Write(span[4..], (uint)Kind);
        MemoryMarshal.Write(span[8..], Step);
        MemoryMarshal.Write(span[12..], Error);
        MemoryMarshal.Write(span[16..], (uint)detail.Length);
        detail.CopyTo(span[SpawnProtocol.MessageHeaderSize..]);
        return bytes;
    }

    /// <summary>Reads one message, or null at end-of-file. A torn or foreign message is an error, never a hang.</summary>
    public static ReportMessage? Read(SafeFdHandle pipe)
    {
        var header = new byte[SpawnProtocol.MessageHeaderSize];
        var got = ReadFully(pipe, header);
        if (got == 0)
            return null;
        if (got != header.Length || MemoryMarshal.Read<uint>(header) != SpawnProtocol.MessageMagic)
            throw new InvalidDataException($"The container's init sent a malformed report ({got} bytes).");
        var kind = (ReportKind)MemoryMarshal.Read<uint>(header.AsSpan(4));
        var step = MemoryMarshal.Read<int>(header.AsSpan(8));
        var error = MemoryMarshal.Read<int>(header.AsSpan(12));
        var length = MemoryMarshal.Read<uint>(header.AsSpan(16));
        if (length > SpawnProtocol.MaxDetailLength)
            throw new InvalidDataException($"The container's init sent a report detail of {length} bytes.");
        var detail = new byte[length];
        if (ReadFully(pipe, detail) != detail.Length)
            throw new InvalidDataException("The container's init report was cut short.");
        return new ReportMessage(kind, step, error, Encoding.UTF8.GetString(detail));
    }

    public void WriteTo(int fd)
    {
        Libc.WriteAll(fd, Encode(), "the report pipe");
    }

    internal static unsafe int ReadFully(SafeFdHandle pipe, byte[] buffer)
    {
        var total = 0;
        fixed (byte* start = buffer)
        {
            while (total < buffer.Length)
            {
                var got = Libc.read(pipe.Fd, start + total, (nuint)(buffer.Length - total));
                if (got < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                    throw ErrnoException.FromLastError("read report pipe");
                }
                if (got == 0) break;
                total += (int)got;
            }
        }
        return total;
    }
}
