using System.Security.Cryptography;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Images.Blobs;

/// <summary>Passes reads through while computing their sha256 and counting them, so content is verified in the same
/// pass that uses it.</summary>
internal sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _digest;

    public HashingReadStream(Stream inner) => _inner = inner;

    public long BytesRead { get; private set; }

    /// <summary>The digest of everything read so far; reading stops being possible after this.</summary>
    public string Digest => _digest ??= Digests.FromHash(_hash.GetHashAndReset());

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_digest is not null)
            throw new InvalidOperationException("The digest was already taken.");
        var read = _inner.Read(buffer);
        if (read > 0)
        {
            _hash.AppendData(buffer[..read]);
            BytesRead += read;
        }
        return read;
    }

    /// <summary>Reads to the end of the inner stream, so the digest covers all of it.</summary>
    public void Drain()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer) > 0) { }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
