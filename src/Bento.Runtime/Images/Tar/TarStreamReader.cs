using System.Buffers.Text;
using System.Text;

namespace Bento.Runtime.Images.Tar;

/// <summary>
/// A forward-only reader of ustar, PAX and GNU tar streams that hands out member data as spans of its own buffer,
/// so extraction copies each byte once (source → buffer → write). With a seekable source, skipped member data is
/// seeked over instead of read, which is how an image archive is indexed without reading its layers.
/// Everything read is untrusted: malformed input throws <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class TarStreamReader
{
    private const int BlockSize = 512;
    /// <summary>PAX and GNU long-name headers are held in memory; a hostile archive must not make that unbounded.</summary>
    private const int MaxMetadataSize = 16 << 20;

    private readonly Stream _source;
    private readonly bool _seekOverData;
    private readonly byte[] _buffer;
    private int _position;
    private int _end;
    /// <summary>Offset in the source of _buffer[0].</summary>
    private long _bufferOrigin;
    private long _dataRemaining;
    private int _paddingRemaining;
    private bool _finished;
    private Dictionary<string, byte[]>? _globalPax;

    public TarStreamReader(Stream source, int bufferSize, bool seekOverData = false)
    {
        if (bufferSize < BlockSize * 2)
            throw new ArgumentOutOfRangeException(nameof(bufferSize));
        _source = source;
        _seekOverData = seekOverData && source.CanSeek;
        _buffer = GC.AllocateUninitializedArray<byte>(bufferSize);
        _bufferOrigin = source.CanSeek ? source.Position : 0;
    }

    /// <summary>Offset in the source of the next byte this reader will hand out.</summary>
    public long Position => _bufferOrigin + _position;

    /// <summary>The next member, or null at the end-of-archive marker (or a clean end of the stream).</summary>
    public TarEntryHeader? Next()
    {
        if (_finished)
            return null;
        SkipRestOfMember();
        if (_finished)
            return null;

        string? longName = null, longLink = null;
        Dictionary<string, byte[]>? pax = null;
        while (true)
        {
            var headerOffset = Position;
            if (!EnsureBuffered(BlockSize))
            {
                if (_end - _position == 0 && longName is null && longLink is null && pax is null)
                {
                    // Some writers omit the two zero blocks; a stream that ends on a member boundary is complete.
                    _finished = true;
                    return null;
                }
                throw new InvalidDataException($"The tar stream is truncated (a header at offset {headerOffset} is incomplete).");
            }
            var block = _buffer.AsSpan(_position, BlockSize);
            if (block.IndexOfAnyExcept((byte)0) < 0)
            {
                _position += BlockSize;
                _finished = true;
                return null;
            }
            VerifyChecksum(block, headerOffset);
            _position += BlockSize;

            var typeFlag = (char)block[156];
            var size = ParseNumber(block.Slice(124, 12), "size", headerOffset);
            if (size < 0)
                throw new InvalidDataException($"The tar header at offset {headerOffset} has a negative size.");
            switch (typeFlag)
            {
                case 'x':
                    pax ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
                    ParsePaxRecords(ReadMetadata(size, headerOffset), pax, headerOffset);
                    continue;
                case 'g':
                    _globalPax ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
                    ParsePaxRecords(ReadMetadata(size, headerOffset), _globalPax, headerOffset);
                    continue;
                case 'L':
                    longName = CString(ReadMetadata(size, headerOffset));
                    continue;
                case 'K':
                    longLink = CString(ReadMetadata(size, headerOffset));
                    continue;
                case 'S':
                    throw new InvalidDataException($"The tar member at offset {headerOffset} is a GNU sparse file, which is not supported.");
            }

            var entry = BuildEntry(block, typeFlag, size, headerOffset, longName, longLink, pax);
            _dataRemaining = entry.Size;
            _paddingRemaining = Padding(entry.Size);
            return entry;
        }
    }

    /// <summary>The next piece of the current member's data, straight from the buffer; false when it is all read.
    /// The span is valid until the next call on this reader.</summary>
    public bool TryReadData(out ReadOnlySpan<byte> chunk)
    {
        if (_dataRemaining == 0)
        {
            chunk = default;
            return false;
        }
        if (_position == _end)
        {
            _bufferOrigin += _end;
            _position = _end = 0;
            var read = _source.Read(_buffer, 0, _buffer.Length);
            if (read <= 0)
                throw new InvalidDataException($"The tar stream is truncated ({_dataRemaining} bytes of member data missing).");
            _end = read;
        }
        var length = (int)Math.Min(_end - _position, _dataRemaining);
        chunk = _buffer.AsSpan(_position, length);
        _position += length;
        _dataRemaining -= length;
        return true;
    }

    /// <summary>Reads whatever follows the end-of-archive marker, so a hash over the source covers every byte.</summary>
    public void DrainSource()
    {
        _bufferOrigin += _end;
        _position = _end = 0;
        while (_source.Read(_buffer, 0, _buffer.Length) > 0) { }
    }

    private void SkipRestOfMember()
    {
        var data = _dataRemaining;
        var padding = _paddingRemaining;
        _dataRemaining = 0;
        _paddingRemaining = 0;
        if (!Skip(data))
            throw new InvalidDataException($"The tar stream is truncated ({data} bytes of member data missing).");
        // Some writers (umoci insert, for one) stop right after the last member's data, without padding or the
        // end-of-archive blocks. Go's reader takes that as the end of the archive, and so does this one.
        if (!Skip(padding))
            _finished = true;
    }

    /// <summary>Advances over <paramref name="count"/> bytes; false if the source ended first.</summary>
    private bool Skip(long count)
    {
        if (count == 0)
            return true;
        if (_end - _position >= count)
        {
            _position += (int)count;
            return true;
        }
        if (_seekOverData)
        {
            var target = Position + count;
            var length = _source.Length;
            _source.Position = Math.Min(target, length);
            _bufferOrigin = _source.Position;
            _position = _end = 0;
            return target <= length;
        }
        count -= _end - _position;
        _position = _end;
        while (count > 0)
        {
            _bufferOrigin += _end;
            _position = _end = 0;
            var read = _source.Read(_buffer, 0, (int)Math.Min(_buffer.Length, count));
            if (read <= 0)
                return false;
            _end = read;
            _position = read;
            count -= read;
        }
        return true;
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available at _position; false at the end of the source.</summary>
    private bool EnsureBuffered(int count)
    {
        if (_end - _position >= count)
            return true;
        if (_position > 0)
        {
            var kept = _end - _position;
            Buffer.BlockCopy(_buffer, _position, _buffer, 0, kept);
            _bufferOrigin += _position;
            _position = 0;
            _end = kept;
        }
        while (_end < count)
        {
            var read = _source.Read(_buffer, _end, _buffer.Length - _end);
            if (read <= 0)
                return false;
            _end += read;
        }
        return true;
    }

    private byte[] ReadMetadata(long size, long headerOffset)
    {
        if (size > MaxMetadataSize)
            throw new InvalidDataException($"The tar extended header at offset {headerOffset} is too large ({size} bytes).");
        var data = new byte[size];
        var filled = 0;
        _dataRemaining = size;
        while (TryReadData(out var chunk))
        {
            chunk.CopyTo(data.AsSpan(filled));
            filled += chunk.Length;
        }
        _paddingRemaining = Padding(size);
        SkipRestOfMember();
        return data;
    }

    private TarEntryHeader BuildEntry(ReadOnlySpan<byte> block, char typeFlag, long headerSize, long headerOffset,
        string? longName, string? longLink, Dictionary<string, byte[]>? localPax)
    {
        var isPosixUstar = block.Slice(257, 6).SequenceEqual("ustar\0"u8);
        var isGnu = block.Slice(257, 8).SequenceEqual("ustar  \0"u8);

        var name = longName ?? CString(block[..100]);
        if (longName is null && isPosixUstar)
        {
            var prefix = CString(block.Slice(345, 155));
            if (prefix.Length > 0)
                name = prefix + "/" + name;
        }
        var linkName = longLink ?? CString(block.Slice(157, 100));

        var mode = ParseNumber(block.Slice(100, 8), "mode", headerOffset);
        var uid = ParseNumber(block.Slice(108, 8), "uid", headerOffset);
        var gid = ParseNumber(block.Slice(116, 8), "gid", headerOffset);
        var mtime = ParseNumber(block.Slice(136, 12), "mtime", headerOffset);
        long devMajor = 0, devMinor = 0;
        if (isPosixUstar || isGnu)
        {
            devMajor = ParseNumber(block.Slice(329, 8), "devmajor", headerOffset);
            devMinor = ParseNumber(block.Slice(337, 8), "devminor", headerOffset);
        }
        var size = headerSize;
        uint mtimeNanos = 0;
        long? atime = null;
        uint atimeNanos = 0;
        List<KeyValuePair<string, byte[]>>? xattrs = null;

        foreach (var records in new[] { _globalPax, localPax })
        {
            if (records is null)
                continue;
            foreach (var (key, value) in records)
            {
                switch (key)
                {
                    case "path": name = Encoding.UTF8.GetString(value); break;
                    case "linkpath": linkName = Encoding.UTF8.GetString(value); break;
                    case "size": size = PaxInteger(value, key, headerOffset); break;
                    case "uid": uid = PaxInteger(value, key, headerOffset); break;
                    case "gid": gid = PaxInteger(value, key, headerOffset); break;
                    case "mtime": (mtime, mtimeNanos) = PaxTime(value, key, headerOffset); break;
                    case "atime":
                        var (seconds, nanos) = PaxTime(value, key, headerOffset);
                        atime = seconds;
                        atimeNanos = nanos;
                        break;
                    default:
                        if (key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
                            (xattrs ??= []).Add(new(key["SCHILY.xattr.".Length..], value));
                        else if (key.StartsWith("LIBARCHIVE.xattr.", StringComparison.Ordinal))
                            (xattrs ??= []).Add(new(Uri.UnescapeDataString(key["LIBARCHIVE.xattr.".Length..]), DecodeBase64(value, headerOffset)));
                        else if (key.StartsWith("GNU.sparse.", StringComparison.Ordinal))
                            throw new InvalidDataException($"The tar member at offset {headerOffset} is a GNU sparse file, which is not supported.");
                        break;
                }
            }
        }
        if (size < 0)
            throw new InvalidDataException($"The tar header at offset {headerOffset} has a negative size.");

        var kind = typeFlag switch
        {
            '0' or '\0' or '7' => name.EndsWith('/') ? TarEntryKind.Directory : TarEntryKind.File,
            '1' => TarEntryKind.HardLink,
            '2' => TarEntryKind.Symlink,
            '3' => TarEntryKind.CharDevice,
            '4' => TarEntryKind.BlockDevice,
            '5' or 'D' => TarEntryKind.Directory,
            '6' => TarEntryKind.Fifo,
            _ => TarEntryKind.Other,
        };
        // Links, devices and directories carry no data even if a writer filled in a size ('D' lists names we ignore).
        if (kind is TarEntryKind.HardLink or TarEntryKind.Symlink or TarEntryKind.CharDevice or TarEntryKind.BlockDevice or TarEntryKind.Fifo
            || (kind == TarEntryKind.Directory && typeFlag != 'D'))
            size = 0;

        return new TarEntryHeader
        {
            Name = name,
            LinkName = linkName,
            Kind = kind,
            Mode = (uint)(mode & 0xFFF),
            Uid = uid,
            Gid = gid,
            Size = size,
            ModifiedSeconds = mtime,
            ModifiedNanoseconds = mtimeNanos,
            AccessSeconds = atime,
            AccessNanoseconds = atimeNanos,
            DevMajor = (uint)Math.Clamp(devMajor, 0, uint.MaxValue),
            DevMinor = (uint)Math.Clamp(devMinor, 0, uint.MaxValue),
            Xattrs = xattrs,
            DataOffset = Position,
        };
    }

    private static int Padding(long size) => (int)((BlockSize - size % BlockSize) % BlockSize);

    private static void VerifyChecksum(ReadOnlySpan<byte> block, long offset)
    {
        var recorded = ParseOctal(block.Slice(148, 8));
        long unsignedSum = 0, signedSum = 0;
        for (var i = 0; i < BlockSize; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : block[i];
            unsignedSum += b;
            signedSum += (sbyte)b;
        }
        if (recorded is null || (recorded != unsignedSum && recorded != signedSum))
            throw new InvalidDataException($"Not a tar archive, or a corrupt one: the header at offset {offset} has a bad checksum.");
    }

    /// <summary>Octal (NUL or space terminated) or GNU base-256 for values that do not fit.</summary>
    private static long ParseNumber(ReadOnlySpan<byte> field, string what, long offset)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            if (field[0] == 0xff)
                throw new InvalidDataException($"The tar header at offset {offset} has a negative {what}.");
            long value = field[0] & 0x7f;
            for (var i = 1; i < field.Length; i++)
            {
                if (value > (long.MaxValue >> 8))
                    throw new InvalidDataException($"The tar header at offset {offset} has an out-of-range {what}.");
                value = (value << 8) | field[i];
            }
            return value;
        }
        return ParseOctal(field) ?? throw new InvalidDataException($"The tar header at offset {offset} has a malformed {what} field.");
    }

    private static long? ParseOctal(ReadOnlySpan<byte> field)
    {
        var i = 0;
        while (i < field.Length && field[i] == ' ')
            i++;
        long value = 0;
        var digits = 0;
        for (; i < field.Length; i++)
        {
            var c = field[i];
            if (c is (byte)' ' or 0)
                break;
            if (c is < (byte)'0' or > (byte)'7' || value > (long.MaxValue >> 3))
                return null;
            value = (value << 3) | (uint)(c - '0');
            digits++;
        }
        for (; i < field.Length; i++)
        {
            if (field[i] is not ((byte)' ' or 0))
                return null;
        }
        return digits == 0 ? 0 : value;
    }

    private static string CString(ReadOnlySpan<byte> bytes)
    {
        var nul = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? bytes[..nul] : bytes);
    }

    /// <summary>Records are "length key=value\n", the length counting the whole record; values may be binary.</summary>
    private static void ParsePaxRecords(ReadOnlySpan<byte> data, Dictionary<string, byte[]> into, long offset)
    {
        while (data.Length > 0)
        {
            if (data[0] == 0)
                break;
            var space = data.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(data[..space], out var length) || length <= space + 1 || length > data.Length || data[length - 1] != '\n')
                throw new InvalidDataException($"The PAX header at offset {offset} is malformed.");
            var record = data[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
                throw new InvalidDataException($"The PAX header at offset {offset} has a record without a key.");
            var key = Encoding.UTF8.GetString(record[..equals]);
            var value = record[(equals + 1)..];
            if (value.Length == 0)
                into.Remove(key); // an empty value deletes a (global) record
            else
                into[key] = value.ToArray();
            data = data[length..];
        }
    }

    private static long PaxInteger(byte[] value, string key, long offset) =>
        long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new InvalidDataException($"The PAX record '{key}' at offset {offset} is not a number.");

    /// <summary>PAX times are decimal seconds with an optional fraction, possibly negative.</summary>
    private static (long Seconds, uint Nanoseconds) PaxTime(byte[] value, string key, long offset)
    {
        var text = Encoding.ASCII.GetString(value);
        var dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        if (!long.TryParse(whole, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || fraction.Any(c => c is < '0' or > '9'))
            throw new InvalidDataException($"The PAX record '{key}' at offset {offset} is not a time.");
        var nanos = fraction.Length == 0 ? 0u : uint.Parse(fraction.PadRight(9, '0')[..9], System.Globalization.CultureInfo.InvariantCulture);
        if (text.StartsWith('-') && nanos > 0)
        {
            // "-1.5" is one and a half seconds before the epoch: -2 s + 0.5 s.
            seconds -= 1;
            nanos = 1_000_000_000 - nanos;
        }
        return (seconds, nanos);
    }

    private static byte[] DecodeBase64(byte[] value, long offset)
    {
        var output = new byte[Base64.GetMaxDecodedFromUtf8Length(value.Length)];
        var status = Base64.DecodeFromUtf8(value, output, out _, out var written);
        if (status != System.Buffers.OperationStatus.Done)
            throw new InvalidDataException($"A LIBARCHIVE.xattr record at offset {offset} is not base64.");
        return output[..written];
    }
}
