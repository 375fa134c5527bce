namespace Bento.Runtime.Storage;

/// <summary>Where the store lives and how it is laid out (see docs/ARCHITECTURE.md).</summary>
public sealed class BentoPaths
{
    public BentoPaths(string root)
    {
        Root = Path.GetFullPath(root);
    }

    /// <summary>$BENTO_ROOT, else /var/lib/bento for root, else ${XDG_DATA_HOME:-~/.local/share}/bento.</summary>
    public static BentoPaths Default()
    {
        var fromEnv = Environment.GetEnvironmentVariable("BENTO_ROOT");
        if (!string.IsNullOrEmpty(fromEnv))
            return new BentoPaths(fromEnv);
        if (Environment.IsPrivilegedProcess)
            return new BentoPaths("/var/lib/bento");
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return new BentoPaths(Path.Combine(dataHome, "bento"));
    }

    public string Root { get; }
    public string Layers => Path.Combine(Root, "layers", "sha256");
    public string Blobs => Path.Combine(Root, "blobs", "sha256");
    public string ImagesIndex => Path.Combine(Root, "images.json");
    public string Containers => Path.Combine(Root, "containers");
    /// <summary>Scratch space on the store's file system, so finished work can be renamed into place.</summary>
    public string Temp => Path.Combine(Root, "tmp");
    public string LockFile => Path.Combine(Root, "store.lock");

    public string LayerDir(string diffId) => Path.Combine(Layers, Digests.Hex(diffId));
    public string BlobPath(string digest) => Path.Combine(Blobs, Digests.Hex(digest));
    public string ContainerDir(string id) => Path.Combine(Containers, id);

    public void EnsureCreated()
    {
        foreach (var dir in new[] { Root, Layers, Blobs, Containers, Temp })
            Directory.CreateDirectory(dir);
    }
}
