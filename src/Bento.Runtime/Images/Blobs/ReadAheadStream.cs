using System.Runtime.ExceptionServices;

namespace Bento.Runtime.Images.Blobs;

/// <summary>
/// Reads a source stream on a thread of its own, a few large chunks ahead of the consumer. A layer import puts
/// reading, both sha256 digests and decompression behind this, so they run on one core while the extraction's
/// file-system calls run on another. Hand-offs use a plain monitor: the spinning of the concurrent collections
/// costs more than it saves at a few hundred hand-offs a second.
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    private readonly Stream _source;
    private readonly object _gate = new();
    private readonly Queue<(byte[] Buffer, int Count)> _filled = new();
    private readonly Stack<byte[]> _free = new();
    private readonly Thread _producer;
    private bool _producerDone;
    private bool _stopping;
    private Exception? _failure;
    private byte[]? _current;
    private int _offset;
    private int _count;

    public ReadAheadStream(Stream source, int chunkSize = 1 << 20, int chunks = 4)
    {
        _source = source;
        for (var i = 0; i < chunks; i++)
            _free.Push(GC.AllocateUninitializedArray<byte>(chunkSize));
        _producer = new Thread(Produce) { IsBackground = true, Name = "bento read-ahead" };
        _producer.Start();
    }

    private void Produce()
    {
        try
        {
            while (true)
            {
                byte[] buffer;
                lock (_gate)
                {
                    while (_free.Count == 0 && !_stopping)
                        Monitor.Wait(_gate);
                    if (_stopping)
                        return;
                    buffer = _free.Pop();
                }
                var count = 0;
                int read;
                // Full chunks: fewer hand-offs, and decompressors return small pieces.
                while (count < buffer.Length && (read = _source.Read(buffer, count, buffer.Length - count)) > 0)
                    count += read;
                lock (_gate)
                {
                    if (count > 0)
                        _filled.Enqueue((buffer, count));
                    Monitor.PulseAll(_gate);
                }
                if (count < buffer.Length)
                    return;
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            lock (_gate)
            {
                _producerDone = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Returns 0 only once the producer has read the source to its end, so whatever wraps the source
    /// (a digest) is complete and no longer touched by the producer.</summary>
    public override int Read(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (destination.IsEmpty)
            return 0;
        if (_current is null || _offset == _count)
        {
            lock (_gate)
            {
                if (_current is not null)
                {
                    _free.Push(_current);
                    _current = null;
                    Monitor.PulseAll(_gate);
                }
                while (_filled.Count == 0 && !_producerDone)
                    Monitor.Wait(_gate);
                if (_filled.Count == 0)
                {
                    if (_failure is not null)
                        ExceptionDispatchInfo.Capture(_failure).Throw();
                    return 0;
                }
                (_current, _count) = _filled.Dequeue();
                _offset = 0;
            }
        }
        var length = Math.Min(destination.Length, _count - _offset);
        _current.AsSpan(_offset, length).CopyTo(destination);
        _offset += length;
        return length;
    }

    /// <summary>Stops the producer and waits for it, so the streams it reads can be used or disposed safely.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stopping)
        {
            lock (_gate)
            {
                _stopping = true;
                Monitor.PulseAll(_gate);
            }
            _producer.Join();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
