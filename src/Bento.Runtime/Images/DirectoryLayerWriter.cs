using System.Formats.Tar;
using System.Security.Cryptography;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Images;

/// <summary>Tars a directory tree into one uncompressed layer (for New-BentoImage), hashing it as it is written.</summary>
internal static class DirectoryLayerWriter
{
    /// <summary>Writes the layer to <paramref name="tarPath"/>; returns its diff-id and size.</summary>
    public static (string DiffId, long Size) Write(string directory, string tarPath)
    {
        using var file = new FileStream(tarPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        using var hashing = new HashingWriteStream(file);
        using (var writer = new TarWriter(hashing, TarEntryFormat.Pax, leaveOpen: true))
        {
            // The root itself is left out: its mode (often 0700 for a temp folder) must not become the image's "/".
            WriteChildren(writer, directory, "");
        }
        hashing.Flush();
        return (hashing.Digest, hashing.BytesWritten);
    }

    /// <summary>Sorted, and each directory before its contents, so the same tree always gives the same layer.</summary>
    private static void WriteChildren(TarWriter writer, string directory, string prefix)
    {
        var children = new DirectoryInfo(directory).EnumerateFileSystemInfos()
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var child in children)
        {
            var name = prefix + child.Name;
            var isDirectory = child is DirectoryInfo && child.LinkTarget is null;
            writer.WriteEntry(child.FullName, isDirectory ? name + "/" : name);
            if (isDirectory)
                WriteChildren(writer, child.FullName, name + "/");
        }
    }

    private sealed class HashingWriteStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public long BytesWritten { get; private set; }
        public string Digest => Digests.FromHash(_hash.GetCurrentHash());

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => BytesWritten;
        public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
            BytesWritten += buffer.Length;
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
