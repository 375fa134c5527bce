using Microsoft.Win32.SafeHandles;

namespace Bento.Runtime.Images.Sources;

/// <summary>An OCI image layout (or an unpacked docker save) in a directory.</summary>
internal sealed class DirectoryImageSource : ImageSource
{
    private readonly string _root;
    private readonly List<SafeFileHandle> _opened = [];

    public DirectoryImageSource(string root, string displayPath) : base(displayPath) => _root = Path.GetFullPath(root);

    protected override Node Lookup(string path)
    {
        var full = Path.Combine(_root, path);
        var info = new FileInfo(full);
        if (info.LinkTarget is { } target)
            return new Node(NodeKind.Symlink, target);
        if (Directory.Exists(full))
            return new Node(NodeKind.Directory);
        return info.Exists ? new Node(NodeKind.File) : new Node(NodeKind.Missing);
    }

    protected override BlobLocation Open(string path)
    {
        // Every component was resolved by ImageSource.Find, so opening the plain path follows no symlink.
        var handle = File.OpenHandle(Path.Combine(_root, path), FileMode.Open, FileAccess.Read, FileShare.Read);
        lock (_opened)
            _opened.Add(handle);
        return new BlobLocation(handle, 0, RandomAccess.GetLength(handle), path);
    }

    public override void Dispose()
    {
        lock (_opened)
        {
            foreach (var handle in _opened)
                handle.Dispose();
            _opened.Clear();
        }
    }
}
