using System.Security.Cryptography;
using static Bento.Runtime.Tests.Images.CraftedLayout;

namespace Bento.Runtime.Tests.Images;

/// <summary>Deletions and directory replacements in later layers, checked the way a container sees them: the
/// layers mounted as overlayfs. Needs root (mount).</summary>
[Collection(ImageCollection.Name)]
public sealed class WhiteoutTests(ImageFixtures fixtures)
{
    [Fact]
    public void Stacked_layers_show_deletions_and_replaced_directories_exactly_as_umoci_unpacks_them()
    {
        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(fixtures.LayeredLayout));
        Assert.Equal(4, image.Layers.Count);

        var rootfs = store.MountOverlay(image);

        Assert.False(File.Exists(Path.Combine(rootfs, "data", "deleteme")));
        Assert.Equal("kept\n", File.ReadAllText(Path.Combine(rootfs, "data", "keep")));
        Assert.Equal(["c"], Directory.GetFileSystemEntries(Path.Combine(rootfs, "etc", "conf")).Select(Path.GetFileName));
        Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(rootfs, "opt", "replaced")).Select(Path.GetFileName));
        Assert.Equal(FileTree.Describe(fixtures.LayeredReferenceRootFs), FileTree.Describe(rootfs));
    }

    [Fact]
    public void Whiteouts_are_stored_in_overlays_own_form()
    {
        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(fixtures.LayeredLayout));
        var layers = store.Images.LayerDirectories(image);

        // umoci repack: a whiteout per deleted name; umoci insert --opaque: the directory is marked opaque.
        Assert.Equal("character special file 0 0", FileTree.TypeAndDevice(Path.Combine(layers[2], "data", "deleteme")));
        Assert.Equal("character special file 0 0", FileTree.TypeAndDevice(Path.Combine(layers[2], "etc", "conf", "a")));
        Assert.Equal("y", FileTree.Xattr(Path.Combine(layers[3], "opt", "replaced"), "trusted.overlay.opaque"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(layers[3], ".wh.*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFileSystemEntries(layers[2], ".wh.*", SearchOption.AllDirectories));
    }

    [Fact]
    public void An_opaque_marker_hides_lower_content_wherever_it_comes_in_the_layer()
    {
        var work = Path.Combine(Path.GetTempPath(), "bento-opaque-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        try
        {
            var layout = new CraftedLayout()
                .Layer(DirEntry("d/"), FileEntry("d/x", "x"), FileEntry("d/y", "y"), DirEntry("e/"), FileEntry("e/old", "old"), FileEntry("top", "1"))
                // Marker after the directory's own content, and marker before a directory that has no entry at all.
                .Layer(DirEntry("d/"), FileEntry("d/z", "z"), WhiteoutEntry("d/.wh..wh..opq"), WhiteoutEntry("e/.wh..wh..opq"), WhiteoutEntry(".wh.top"))
                .Write(work);

            using var store = new TestStore();
            var image = Assert.Single(store.Images.Import(layout));
            var rootfs = store.MountOverlay(image);

            Assert.Equal(["z"], Directory.GetFileSystemEntries(Path.Combine(rootfs, "d")).Select(Path.GetFileName));
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(rootfs, "e")));
            Assert.False(File.Exists(Path.Combine(rootfs, "top")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void A_whiteout_does_not_hide_what_its_own_layer_adds()
    {
        var work = Path.Combine(Path.GetTempPath(), "bento-same-layer-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        try
        {
            var layout = new CraftedLayout()
                .Layer(FileEntry("kept-before", "lower"), FileEntry("kept-after", "lower"))
                .Layer(FileEntry("kept-before", "upper"), WhiteoutEntry(".wh.kept-before"), WhiteoutEntry(".wh.kept-after"), FileEntry("kept-after", "upper"))
                .Write(work);

            using var store = new TestStore();
            var image = Assert.Single(store.Images.Import(layout));
            var rootfs = store.MountOverlay(image);

            Assert.Equal("upper", File.ReadAllText(Path.Combine(rootfs, "kept-before")));
            Assert.Equal("upper", File.ReadAllText(Path.Combine(rootfs, "kept-after")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
