using System.Security.Cryptography;
using Bento.Runtime.Images;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Tests.Images;

/// <summary>A fresh store root for one test, deleted afterwards (unmounting anything a test left mounted).</summary>
public sealed class TestStore : IDisposable
{
    private readonly List<string> _mounts = [];

    public TestStore()
    {
        Root = Path.Combine(Path.GetTempPath(), "bento-image-test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Runtime = new BentoRuntime(new BentoPaths(Root));
    }

    public string Root { get; }
    public BentoRuntime Runtime { get; }
    public ImageStore Images => Runtime.Images;
    public BentoPaths Paths => Runtime.Paths;

    public string[] LayerDirectories() =>
        Directory.Exists(Paths.Layers) ? Directory.GetDirectories(Paths.Layers) : [];

    public string[] Blobs() => Directory.Exists(Paths.Blobs) ? Directory.GetFiles(Paths.Blobs) : [];

    public string[] TempEntries() => Directory.Exists(Paths.Temp) ? Directory.GetFileSystemEntries(Paths.Temp) : [];

    /// <summary>Asserts the store holds nothing an import could have left: no layer, blob, image or temp file.</summary>
    public void AssertEmpty()
    {
        Assert.Empty(LayerDirectories());
        Assert.Empty(Directory.Exists(Paths.Layers) ? Directory.GetFiles(Paths.Layers) : []);
        Assert.Empty(Blobs());
        Assert.Empty(Images.List());
        Assert.Empty(TempEntries());
    }

    /// <summary>The image's root filesystem as a container would see it: its layers mounted as overlayfs
    /// (lowerdir = top:…:bottom, read-only); a one-layer image is its layer directory.</summary>
    public string MountOverlay(BentoImage image)
    {
        var lower = Images.LayerDirectories(image).Reverse().ToList();
        if (lower.Count == 1)
            return lower[0];
        var target = Directory.CreateDirectory(Path.Combine(Root, "mnt-" + _mounts.Count)).FullName;
        ExternalTool.Run("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + string.Join(':', lower), target);
        _mounts.Add(target);
        return target;
    }

    public void Dispose()
    {
        foreach (var mount in _mounts)
        {
            try { ExternalTool.Run("umount", mount); } catch (InvalidOperationException) { ExternalTool.Run("umount", "-l", mount); }
        }
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }
}
