using Microsoft.Win32.SafeHandles;

namespace Bento.Runtime.Images.Sources;

/// <summary>Where a file of an image source lies: a byte range of an open file (a whole file, or a member of a tar).</summary>
internal readonly record struct BlobLocation(SafeFileHandle File, long Offset, long Length, string Path);

/// <summary>
/// The files of an image archive or layout directory, looked up by path. Everything in it is untrusted: paths are
/// confined to the source (no "..", no absolute paths) and symlinks inside it are resolved by this class, one
/// component at a time, never by the operating system, so none can lead outside.
/// </summary>
internal abstract class ImageSource : IDisposable
{
    private const int MaxSymlinkHops = 40;
    /// <summary>Manifests, configs and indexes are read into memory; a hostile archive must not make that unbounded.</summary>
    public const long MaxMetadataSize = 16 << 20;

    protected ImageSource(string displayPath) => DisplayPath = displayPath;

    /// <summary>The path the user gave, for messages and for naming unnamed images.</summary>
    public string DisplayPath { get; }

    protected enum NodeKind
    {
        Missing,
        File,
        Directory,
        Symlink,
        /// <summary>A tar hard link: another member's path, relative to the archive root.</summary>
        HardLink,
    }

    protected readonly record struct Node(NodeKind Kind, string LinkTarget = "");

    /// <summary>What is at a path whose every parent component is a real directory of the source.</summary>
    protected abstract Node Lookup(string path);

    /// <summary>Opens a resolved path that <see cref="Lookup"/> says is a regular file.</summary>
    protected abstract BlobLocation Open(string path);

    public bool Exists(string path) => Find(path) is not null;

    /// <summary>The regular file at <paramref name="path"/> after resolving symlinks inside the source, or null when
    /// there is none. Throws <see cref="ImageFormatException"/> for a path or symlink that would leave the source.</summary>
    public BlobLocation? Find(string path)
    {
        var pending = new Queue<string>(SplitConfined(path, path));
        var resolved = new List<string>();
        var hops = 0;
        while (pending.TryDequeue(out var component))
        {
            if (component == ".")
                continue;
            if (component == "..")
            {
                if (resolved.Count == 0)
                    throw new ImageFormatException($"'{path}' leads outside the archive.");
                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = resolved.Count == 0 ? component : string.Join('/', resolved) + "/" + component;
            var node = Lookup(candidate);
            switch (node.Kind)
            {
                case NodeKind.Symlink:
                case NodeKind.HardLink:
                    if (++hops > MaxSymlinkHops)
                        throw new ImageFormatException($"'{path}' has too many levels of symbolic links.");
                    if (node.LinkTarget.StartsWith('/'))
                        throw new ImageFormatException($"'{candidate}' is a link to the absolute path '{node.LinkTarget}', outside the archive.");
                    // A symlink is relative to its directory; a tar hard link names a member from the archive root.
                    if (node.Kind == NodeKind.HardLink)
                        resolved.Clear();
                    var rest = pending.ToArray();
                    pending.Clear();
                    foreach (var part in node.LinkTarget.Split('/', StringSplitOptions.RemoveEmptyEntries))
                        pending.Enqueue(part);
                    foreach (var part in rest)
                        pending.Enqueue(part);
                    continue;
                case NodeKind.File when pending.Count > 0:
                    return null;
                default:
                    resolved.Add(component);
                    continue;
            }
        }
        if (resolved.Count == 0)
            return null;
        var final = string.Join('/', resolved);
        return Lookup(final).Kind == NodeKind.File ? Open(final) : null;
    }

    public BlobLocation Get(string path, string what) =>
        Find(path) ?? throw new ImageFormatException($"{what} '{path}' is missing from the archive.");

    public byte[] ReadAll(BlobLocation location, string what)
    {
        if (location.Length > MaxMetadataSize)
            throw new ImageFormatException($"{what} '{location.Path}' is too large ({location.Length} bytes).");
        var data = new byte[location.Length];
        var filled = 0;
        while (filled < data.Length)
        {
            var read = RandomAccess.Read(location.File, data.AsSpan(filled), location.Offset + filled);
            if (read == 0)
                throw new ImageFormatException($"{what} '{location.Path}' is truncated.");
            filled += read;
        }
        return data;
    }

    public byte[] ReadAll(string path, string what) => ReadAll(Get(path, what), what);

    /// <summary>Splits a path from the archive's own metadata, refusing ones that start outside it.</summary>
    public static string[] SplitConfined(string path, string what)
    {
        if (path.StartsWith('/'))
            throw new ImageFormatException($"The path '{what}' is absolute: it points outside the archive.");
        if (path.Length == 0 || path.Contains('\0') || path.Contains('\\'))
            throw new ImageFormatException($"The path '{what}' is not a relative path inside the archive.");
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Contains(".."))
            throw new ImageFormatException($"The path '{what}' leads outside the archive.");
        return parts.Where(p => p != ".").ToArray();
    }

    public abstract void Dispose();
}

/// <summary>The content is not a well-formed image; becomes an InvalidImage error naming the source.</summary>
internal sealed class ImageFormatException(string message, Exception? inner = null) : Exception(message, inner);
