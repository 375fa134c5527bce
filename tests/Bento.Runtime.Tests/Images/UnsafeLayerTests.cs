using System.Formats.Tar;
using System.Security.Cryptography;
using Bento.Runtime.Errors;
using static Bento.Runtime.Tests.Images.CraftedLayout;

namespace Bento.Runtime.Tests.Images;

/// <summary>Layer entries that would land outside their layer directory are refused, nothing is written outside,
/// and the store is left without a trace of the import.</summary>
public sealed class UnsafeLayerTests : IDisposable
{
    private readonly string _work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bento-unsafe-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)))).FullName;
    /// <summary>A directory outside every store that hostile entries aim at; it must stay empty.</summary>
    private readonly string _outside;
    private readonly string _marker = "bento-escape-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    public UnsafeLayerTests() => _outside = Directory.CreateDirectory(Path.Combine(_work, "outside")).FullName;

    public static TheoryData<string> Cases => new()
    {
        "dot-dot", "dot-dot-deep", "absolute", "symlink-absolute", "symlink-relative", "symlink-nested",
        "hardlink-dot-dot", "hardlink-absolute", "hardlink-through-symlink", "whiteout-dot-dot", "whiteout-empty",
    };

    private TarEntry[] Entries(string name)
    {
        var escapeFromLayer = string.Concat(Enumerable.Repeat("../", 12)) + _outside.TrimStart('/');
        return name switch
        {
            "dot-dot" => [FileEntry("../" + _marker, "x")],
            "dot-dot-deep" => [DirEntry("a/"), FileEntry("a/../../" + _marker, "x")],
            "absolute" => [FileEntry(Path.Combine(_outside, _marker), "x")],
            "symlink-absolute" => [SymlinkEntry("link", _outside), FileEntry("link/" + _marker, "x")],
            "symlink-relative" => [SymlinkEntry("link", escapeFromLayer), FileEntry("link/" + _marker, "x")],
            "symlink-nested" => [DirEntry("a/"), SymlinkEntry("a/link", _outside), DirEntry("a/link/sub/"), FileEntry("a/link/sub/" + _marker, "x")],
            "hardlink-dot-dot" => [HardLinkEntry(_marker, escapeFromLayer + "/target")],
            "hardlink-absolute" => [HardLinkEntry(_marker, Path.Combine(_outside, "target"))],
            "hardlink-through-symlink" => [SymlinkEntry("link", _outside), HardLinkEntry(_marker, "link/target")],
            "whiteout-dot-dot" => [DirEntry("a/"), WhiteoutEntry("a/.wh..."), FileEntry("a/x")],
            "whiteout-empty" => [WhiteoutEntry(".wh.")],
            _ => throw new ArgumentException(name),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_entry_that_would_leave_the_layer_is_refused_and_nothing_is_left(string name)
    {
        System.IO.File.WriteAllText(Path.Combine(_outside, "target"), "outside file\n");
        var layout = new CraftedLayout()
            .Layer(FileEntry("innocent", "first layer is fine\n"))
            .Layer(Entries(name))
            .Write(Path.Combine(_work, name));

        using var store = new TestStore();
        var error = Assert.Throws<BentoException>(() => store.Images.Import(layout));

        Assert.Equal("UnsafeLayerPath", error.ErrorId);
        Assert.Equal(BentoErrorCategory.SecurityError, error.Category);
        Assert.Equal(["target"], Directory.GetFileSystemEntries(_outside).Select(Path.GetFileName));
        Assert.Equal("outside file\n", System.IO.File.ReadAllText(Path.Combine(_outside, "target")));
        Assert.False(System.IO.File.Exists(Path.Combine(store.Paths.Temp, _marker)));
        Assert.False(System.IO.File.Exists(Path.Combine(store.Paths.Layers, _marker)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Root, _marker, SearchOption.AllDirectories));
        store.AssertEmpty();
    }

    [Fact]
    public void The_same_entries_in_an_oci_archive_are_refused_too()
    {
        var layout = new CraftedLayout().Layer(Entries("symlink-absolute")).Write(Path.Combine(_work, "archived"));
        var archive = Path.Combine(_work, "archived.tar");
        TarFile.CreateFromDirectory(layout, archive, includeBaseDirectory: false);

        using var store = new TestStore();
        var error = Assert.Throws<BentoException>(() => store.Images.Import(archive));

        Assert.Equal("UnsafeLayerPath", error.ErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(_outside));
        store.AssertEmpty();
    }

    [Fact]
    public void A_directory_entry_replaces_a_symlink_instead_of_following_it()
    {
        var layout = new CraftedLayout()
            .Layer(SymlinkEntry("d", _outside), DirEntry("d/"), FileEntry("d/inside", "in the layer\n"))
            .Write(Path.Combine(_work, "replaced"));

        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(layout));

        Assert.Empty(Directory.GetFileSystemEntries(_outside));
        var layer = Assert.Single(store.Images.LayerDirectories(image));
        Assert.Null(new DirectoryInfo(Path.Combine(layer, "d")).LinkTarget);
        Assert.Equal("in the layer\n", System.IO.File.ReadAllText(Path.Combine(layer, "d", "inside")));
    }

    [Fact]
    public void A_symlink_from_a_lower_layer_cannot_be_written_through_by_a_higher_one()
    {
        // Each layer is extracted into its own directory, so "link/x" in layer 2 makes a real directory "link"
        // there (which overlay shows above layer 1's symlink); it never reaches the symlink's target.
        var layout = new CraftedLayout()
            .Layer(SymlinkEntry("link", _outside))
            .Layer(FileEntry("link/" + _marker, "x"))
            .Write(Path.Combine(_work, "two-layers"));

        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(layout));

        Assert.Empty(Directory.GetFileSystemEntries(_outside));
        var upper = store.Images.LayerDirectories(image)[1];
        Assert.True(System.IO.File.Exists(Path.Combine(upper, "link", _marker)));
        Assert.Null(new DirectoryInfo(Path.Combine(upper, "link")).LinkTarget);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
