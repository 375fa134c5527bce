using Bento.Runtime.Errors;
using Bento.Runtime.Images.Blobs;
using Bento.Runtime.Images.Extraction;
using Bento.Runtime.Images.ImageFormats;
using Bento.Runtime.Images.Sources;
using Bento.Runtime.Images.Tar;

namespace Bento.Runtime.Images;

/// <summary>A layer extracted into a private temp directory and verified, waiting to be renamed into the store.</summary>
internal sealed record ExtractedLayer(string DiffId, string Directory, long Size, int Entries);

/// <summary>
/// Brings one layer blob in, in a single streaming pass: read (in place in the archive) → sha256 of the blob →
/// decompress → sha256 of the tar (the diff-id) → extract. The result is published only by the caller, after both
/// digests matched; on any failure, cancellation included, the temp directory is removed.
/// </summary>
internal static class LayerImporter
{
    private const int TarBufferSize = 1 << 20;

    public static ExtractedLayer Extract(LayerPlan layer, string tempRoot, bool privileged, ImportProgressReporter progress, CancellationToken cancellationToken)
    {
        var blob = layer.Blob;
        var name = $"{layer.DiffId[..19]}…";
        if (layer.BlobSize is { } expectedSize && expectedSize != blob.Length)
            throw BentoErrors.DigestMismatch($"layer {layer.BlobDigest}", $"{expectedSize} bytes", $"{blob.Length} bytes");

        Span<byte> head = stackalloc byte[Compression.MagicLength];
        var headLength = RandomAccess.Read(blob.File, head[..(int)Math.Min(head.Length, blob.Length)], blob.Offset);
        var compression = Compression.Detect(head[..headLength]);

        var directory = Path.Combine(tempRoot, $"layer-{Environment.ProcessId}-{Guid.NewGuid():N}");
        // Private (0700) until it is complete and renamed into the store.
        if (Interop.Libc.mkdirat(Interop.Libc.AT_FDCWD, directory, 0x1C0) < 0)
            throw Interop.ErrnoException.FromLastError("mkdir", directory);
        try
        {
            using var raw = new RangeReadStream(blob.File, blob.Offset, blob.Length, progress.Add);
            // An uncompressed blob whose digest is its diff-id is hashed once, as the tar.
            var blobHash = layer.BlobDigest is not null && !(compression == CompressionKind.None && layer.BlobDigest == layer.DiffId)
                ? new HashingReadStream(raw)
                : null;
            using var blobHashOwner = blobHash;
            Stream compressed = blobHash is null ? raw : blobHash;
            using var decompressed = Compression.Decompress(compressed, compression);
            using var tar = new HashingReadStream(decompressed);
            // Reading, hashing and decompressing run on a second thread, ahead of the extraction.
            var readAhead = new ReadAheadStream(tar);
            using var extractor = new LayerExtractor(directory, name, privileged);
            var reader = new TarStreamReader(readAhead, TarBufferSize);
            try
            {
                extractor.ExtractEntries(reader, cancellationToken);
                // To the end: then the read-ahead thread has finished with the streams and the digests are whole.
                reader.DrainSource();
                readAhead.Dispose();
                blobHash?.Drain();
            }
            catch (Exception e) when (e is InvalidDataException or ImageFormatException or ZstdSharp.ZstdException or EndOfStreamException)
            {
                readAhead.Dispose();
                // Content that does not parse is usually content that was changed: say so when the digest proves it.
                if (blobHash is not null && TryDrain(blobHash) && blobHash.Digest != layer.BlobDigest)
                    throw BentoErrors.DigestMismatch($"layer {layer.BlobDigest}", layer.BlobDigest!, blobHash.Digest);
                throw new ImageFormatException($"Layer {layer.DiffId} is not a valid tar stream: {e.Message}", e);
            }
            finally
            {
                readAhead.Dispose();
            }

            if (blobHash is not null && blobHash.Digest != layer.BlobDigest)
                throw BentoErrors.DigestMismatch($"layer {layer.BlobDigest}", layer.BlobDigest!, blobHash.Digest);
            if (tar.Digest != layer.DiffId)
                throw BentoErrors.DigestMismatch($"layer {layer.DiffId} (uncompressed)", layer.DiffId, tar.Digest);
            extractor.FinishDirectories();
            return new ExtractedLayer(layer.DiffId, directory, tar.BytesRead, extractor.EntryCount);
        }
        catch
        {
            TreeRemover.TryDelete(directory);
            throw;
        }
    }

    private static bool TryDrain(HashingReadStream stream)
    {
        try
        {
            stream.Drain();
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return false;
        }
    }
}
