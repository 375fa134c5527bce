using Bento.Runtime.Images.Blobs;

namespace Bento.Runtime.Images.Sources;

internal static class ImageSourceOpener
{
    /// <summary>Opens a layout directory or an archive. A compressed archive (docker save | gzip) is decompressed
    /// into <paramref name="tempDirectory"/> first, since image blobs are then read at random offsets.</summary>
    public static ImageSource Open(string path, string tempDirectory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
            return new DirectoryImageSource(path, path);

        Span<byte> head = stackalloc byte[Compression.MagicLength];
        int headLength;
        using (var probe = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            headLength = RandomAccess.Read(probe, head, 0);
        if (headLength == 0)
            throw new ImageFormatException("The file is empty.");

        var kind = Compression.Detect(head[..headLength]);
        if (kind == CompressionKind.None)
            return TarImageSource.Open(path, path, cancellationToken);

        var temp = Path.Combine(tempDirectory, $"archive-{Environment.ProcessId}-{Guid.NewGuid():N}.tar");
        try
        {
            using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20))
            using (var decompressed = Compression.Decompress(input, kind))
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
                decompressed.CopyToAsync(output, 1 << 20, cancellationToken).GetAwaiter().GetResult();
            return TarImageSource.Open(temp, path, cancellationToken, ownedTempFile: temp);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
