using System.IO.Compression;
using ZstdSharp;

namespace Bento.Runtime.Images.Blobs;

internal enum CompressionKind
{
    None,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

/// <summary>Layer compression, told by magic bytes: media types are often wrong (docker-archive says "tar" for
/// whatever a layer file holds), the bytes are not.</summary>
internal static class Compression
{
    public const int MagicLength = 6;

    public static CompressionKind Detect(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, ..] => CompressionKind.Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => CompressionKind.Zstd,
        [(byte)'B', (byte)'Z', (byte)'h', ..] => CompressionKind.Bzip2,
        [0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00, ..] => CompressionKind.Xz,
        _ => CompressionKind.None,
    };

    /// <summary>A stream of the decompressed bytes; the caller keeps ownership of <paramref name="compressed"/>.</summary>
    public static Stream Decompress(Stream compressed, CompressionKind kind) => kind switch
    {
        CompressionKind.None => compressed,
        CompressionKind.Gzip => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true),
        CompressionKind.Zstd => new DecompressionStream(compressed, bufferSize: 1 << 20, checkEndOfStream: true, leaveOpen: true),
        _ => throw new Sources.ImageFormatException($"{kind} compression is not supported (use uncompressed, gzip or zstd layers)."),
    };
}
