using Microsoft.Win32.SafeHandles;

namespace Bento.Runtime.Images.Blobs;

/// <summary>Reads a byte range of a file with positional reads, so a blob inside an archive is read in place
/// (no copy to a temp file) and several ranges can share one handle.</summary>
internal sealed class RangeReadStream : Stream
{
    private readonly SafeFileHandle _file;
    private readonly long _start;
    private readonly long _length;
    private readonly Action<int>? _onRead;
    private long _position;

    public RangeReadStream(SafeFileHandle file, long start, long length, Action<int>? onRead = null)
    {
        _file = file;
        _start = start;
        _length = length;
        _onRead = onRead;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, _length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var wanted = (int)Math.Min(buffer.Length, _length - _position);
        if (wanted <= 0)
            return 0;
        var read = RandomAccess.Read(_file, buffer[..wanted], _start + _position);
        if (read == 0)
            throw new InvalidDataException($"The file ends {_length - _position} bytes before the end of the blob it should hold (truncated).");
        _position += read;
        _onRead?.Invoke(read);
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };
        return _position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
