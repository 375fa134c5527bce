using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Bento.Runtime.Images.Blobs;

/// <summary>
/// Reads a source stream on a thread of its own, a few large chunks ahead of the consumer. A layer import puts
/// reading, both sha256 digests and decompression behind this, so they run on one core while the extraction's
/// file-system calls run on another.
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    private readonly Stream _source;
    private readonly BlockingCollection<(byte[] Buffer, int Count)> _filled;
    private readonly BlockingCollection<byte[]> _free = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _producer;
    private Exception? _failure;
    private byte[]? _current;
    private int _offset;
    private int _count;
    private bool _disposed;

    public ReadAheadStream(Stream source, int chunkSize = 1 << 20, int chunks = 4)
    {
        _source = source;
        _filled = new BlockingCollection<(byte[], int)>(boundedCapacity: chunks);
        for (var i = 0; i < chunks; i++)
            _free.Add(GC.AllocateUninitializedArray<byte>(chunkSize));
        _producer = new Thread(Produce) { IsBackground = true, Name = "bento read-ahead" };
        _producer.Start();
    }

    private void Produce()
    {
        try
        {
            while (true)
            {
                var buffer = _free.Take(_stop.Token);
                var count = 0;
                int read;
                // Full chunks: fewer hand-offs, and decompressors return small pieces.
                while (count < buffer.Length && (read = _source.Read(buffer, count, buffer.Length - count)) > 0)
                    count += read;
                if (count > 0)
                    _filled.Add((buffer, count), _stop.Token);
                if (count < buffer.Length)
                    break;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            _filled.CompleteAdding();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Returns 0 only once the producer has read the source to its end, so whatever wraps the source
    /// (a digest) is complete and no longer touched by the producer.</summary>
    public override int Read(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.IsEmpty)
            return 0;
        if (_current is null || _offset == _count)
        {
            if (_current is not null)
                _free.Add(_current);
            _current = null;
            if (!_filled.TryTake(out var chunk, Timeout.Infinite))
            {
                _producer.Join();
                if (_failure is not null)
                    ExceptionDispatchInfo.Capture(_failure).Throw();
                return 0;
            }
            (_current, _count) = chunk;
            _offset = 0;
        }
        var length = Math.Min(destination.Length, _count - _offset);
        _current.AsSpan(_offset, length).CopyTo(destination);
        _offset += length;
        return length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            _producer.Join();
            _filled.Dispose();
            _free.Dispose();
            _stop.Dispose();
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
