using System.Buffers.Binary;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Terminal;

/// <summary>
/// The unix socket a -Tty container's monitor listens on (containers/&lt;id&gt;/attach.sock; the directory's mode is
/// the access control). The monitor sends the PTY's output as raw bytes, replaying the last few kilobytes to a client
/// that connects; the client sends frames: one kind byte, a little-endian u16 length, the payload.
/// </summary>
internal static class AttachSocket
{
    public const string FileName = "attach.sock";

    /// <summary>Keystrokes for the PTY.</summary>
    public const byte InputFrame = (byte)'i';
    /// <summary>The client's window: rows, columns (u16 each).</summary>
    public const byte ResizeFrame = (byte)'w';
    public const int FrameHeaderSize = 3;

    public static SafeFdHandle Listen(string containerDirectory)
    {
        using var directory = Libc.OpenHandle(containerDirectory, Libc.O_PATH | Libc.O_DIRECTORY);
        // sun_path is short; the directory's descriptor keeps any store path within it.
        var path = $"/proc/self/fd/{directory.Fd}/{FileName}";
        Libc.unlinkat(directory.Fd, FileName, 0);
        return Libc.ListenUnix(path);
    }

    public static SafeFdHandle Connect(string containerDirectory)
    {
        using var directory = Libc.OpenHandle(containerDirectory, Libc.O_PATH | Libc.O_DIRECTORY);
        return Libc.ConnectUnix($"/proc/self/fd/{directory.Fd}/{FileName}");
    }

    public static void Remove(string containerDirectory)
    {
        try
        {
            File.Delete(Path.Combine(containerDirectory, FileName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static byte[] Frame(byte kind, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[FrameHeaderSize + payload.Length];
        frame[0] = kind;
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(1), (ushort)payload.Length);
        payload.CopyTo(frame.AsSpan(FrameHeaderSize));
        return frame;
    }

    public static byte[] ResizeFrameOf(Libc.WindowSize size)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, size.Rows);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(2), size.Columns);
        return Frame(ResizeFrame, payload);
    }

    /// <summary>Takes every complete frame off the front of <paramref name="buffer"/>.</summary>
    public static void TakeFrames(List<byte> buffer, Action<byte, ReadOnlySpan<byte>> handle)
    {
        while (buffer.Count >= FrameHeaderSize)
        {
            var length = buffer[1] | (buffer[2] << 8);
            if (buffer.Count < FrameHeaderSize + length)
                return;
            var frame = buffer.GetRange(0, FrameHeaderSize + length).ToArray();
            buffer.RemoveRange(0, FrameHeaderSize + length);
            handle(frame[0], frame.AsSpan(FrameHeaderSize));
        }
    }
}
