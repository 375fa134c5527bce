using System.Formats.Tar;
using System.Security.Cryptography;
using Bento.Runtime.Images.Extraction;
using Bento.Runtime.Images.Tar;
using static Bento.Runtime.Tests.Images.CraftedLayout;

namespace Bento.Runtime.Tests.Images;

/// <summary>The extractor on its own: it must produce what GNU tar produces (as root), whatever the tar format and
/// however the stream is split across reads, and handle what only images have (whiteouts, replaced entries).</summary>
public sealed class LayerExtractionTests : IDisposable
{
    private readonly string _work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bento-extract-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)))).FullName;
    private int _counter;

    private string Extract(byte[] tar, bool privileged = true, int bufferSize = 1 << 20)
    {
        var target = Directory.CreateDirectory(Path.Combine(_work, "out-" + _counter++)).FullName;
        using var extractor = new LayerExtractor(target, "test", privileged);
        var reader = new TarStreamReader(new MemoryStream(tar), bufferSize);
        extractor.ExtractEntries(reader, CancellationToken.None);
        extractor.FinishDirectories();
        return target;
    }

    /// <summary>A tree with what real layers hold: sizes around the 512-byte block, long names, links, special
    /// modes and files, foreign owners, old times.</summary>
    private string StageTree()
    {
        var root = Directory.CreateDirectory(Path.Combine(_work, "stage-" + _counter++)).FullName;
        var deep = Directory.CreateDirectory(Path.Combine(root, "usr", new string('d', 90), new string('e', 90))).FullName;
        foreach (var size in new[] { 0, 1, 511, 512, 513, 4096, 100_000, 1_300_000 })
            File.WriteAllBytes(Path.Combine(root, "usr", $"file-{size}"), RandomNumberGenerator.GetBytes(size));
        File.WriteAllText(Path.Combine(deep, new string('f', 120)), "long name\n");
        File.CreateSymbolicLink(Path.Combine(root, "usr", "link-relative"), "file-1");
        File.CreateSymbolicLink(Path.Combine(root, "usr", "link-absolute"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(root, "usr", "link-dangling"), "../nowhere");
        ExternalTool.Run("ln", Path.Combine(root, "usr", "file-513"), Path.Combine(root, "usr", "hardlink-513"));
        File.WriteAllText(Path.Combine(root, "setuid"), "#!/bin/sh\n");
        ExternalTool.Run("chmod", "4755", Path.Combine(root, "setuid"));
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        ExternalTool.Run("chmod", "1777", Path.Combine(root, "tmp"));
        Directory.CreateDirectory(Path.Combine(root, "shared"));
        ExternalTool.Run("chmod", "2750", Path.Combine(root, "shared"));
        Directory.CreateDirectory(Path.Combine(root, "locked"));
        File.WriteAllText(Path.Combine(root, "locked", "inside"), "x");
        ExternalTool.Run("chmod", "0555", Path.Combine(root, "locked"));
        ExternalTool.Run("mkfifo", Path.Combine(root, "fifo"));
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        ExternalTool.Run("mknod", "-m", "666", Path.Combine(root, "dev", "null"), "c", "1", "3");
        ExternalTool.Run("chown", "-R", "1234:5678", Path.Combine(root, "usr"));
        ExternalTool.Run("chown", "-h", "0:0", Path.Combine(root, "usr", "link-absolute"));
        ExternalTool.Run("touch", "-h", "-d", "2001-02-03 04:05:06.789", Path.Combine(root, "usr", "link-relative"));
        ExternalTool.Run("find", root, "-mindepth", "1", "-not", "-name", "link-relative", "-exec", "touch", "-h", "-d", "2010-01-01 00:00:00.5", "{}", "+");
        return root;
    }

    public static TheoryData<string, int> FormatsAndBuffers => new()
    {
        { "gnu", 1 << 20 }, { "gnu", 1024 }, { "posix", 1 << 20 }, { "posix", 1536 }, { "ustar-v7", 4096 },
    };

    [Theory]
    [MemberData(nameof(FormatsAndBuffers))]
    public void Extraction_matches_gnu_tar(string format, int bufferSize)
    {
        var stage = StageTree();
        var archive = Path.Combine(_work, $"stage-{format}.tar");
        // v7 cannot hold names over 100 bytes: drop the deep tree for it.
        var formatArgument = format == "ustar-v7" ? "--format=ustar" : "--format=" + format;
        if (format == "ustar-v7")
            Directory.Delete(Path.Combine(stage, "usr", new string('d', 90)), recursive: true);
        ExternalTool.Run("tar", "-C", stage, formatArgument, "-cf", archive, ".");
        var expected = Directory.CreateDirectory(Path.Combine(_work, $"gnu-{format}-{bufferSize}")).FullName;
        ExternalTool.Run("tar", "-C", expected, "--same-owner", "-xpf", archive);

        var actual = Extract(File.ReadAllBytes(archive), bufferSize: bufferSize);

        Assert.Equal(FileTree.Describe(expected, withDirectoryTimes: true), FileTree.Describe(actual, withDirectoryTimes: true));
        Assert.Equal(ExternalTool.Run("stat", "-c", "%i", Path.Combine(actual, "usr", "file-513")),
            ExternalTool.Run("stat", "-c", "%i", Path.Combine(actual, "usr", "hardlink-513")));
        Assert.Equal("character special file 1 3", FileTree.TypeAndDevice(Path.Combine(actual, "dev", "null")));
    }

    [Fact]
    public void Pax_xattrs_are_applied_but_overlay_xattrs_from_the_archive_are_not()
    {
        var tar = Tar(
            FileEntry("plain", "x", pax: [new("SCHILY.xattr.user.bento", "yes")]),
            DirEntry("dir/"),
            FileEntry("sneaky", "x", pax: [new("SCHILY.xattr.trusted.overlay.opaque", "y"), new("SCHILY.xattr.user.overlay.redirect", "/etc")]));

        var layer = Extract(tar);

        Assert.Equal("yes", FileTree.Xattr(Path.Combine(layer, "plain"), "user.bento"));
        Assert.Null(FileTree.Xattr(Path.Combine(layer, "sneaky"), "trusted.overlay.opaque"));
        Assert.Null(FileTree.Xattr(Path.Combine(layer, "sneaky"), "user.overlay.redirect"));
    }

    [Fact]
    public void A_later_entry_replaces_an_earlier_one_of_another_type()
    {
        var tar = Tar(
            FileEntry("file-then-dir", "file"), DirEntry("file-then-dir/"), FileEntry("file-then-dir/child", "child"),
            DirEntry("dir-then-file/"), FileEntry("dir-then-file/child", "gone"), FileEntry("dir-then-file", "now a file"),
            SymlinkEntry("link-then-file", "/etc/passwd"), FileEntry("link-then-file", "now a file"),
            FileEntry("file-then-link", "file"), SymlinkEntry("file-then-link", "target"),
            FileEntry("twice", "first"), FileEntry("twice", "second"),
            FileEntry("target", "shared"), HardLinkEntry("link-then-hardlink", "target"));

        var layer = Extract(tar);

        Assert.Equal("child", File.ReadAllText(Path.Combine(layer, "file-then-dir", "child")));
        Assert.Equal("now a file", File.ReadAllText(Path.Combine(layer, "dir-then-file")));
        Assert.Null(new FileInfo(Path.Combine(layer, "link-then-file")).LinkTarget);
        Assert.Equal("now a file", File.ReadAllText(Path.Combine(layer, "link-then-file")));
        Assert.Equal("target", new FileInfo(Path.Combine(layer, "file-then-link")).LinkTarget);
        Assert.Equal("second", File.ReadAllText(Path.Combine(layer, "twice")));
        Assert.Equal("shared", File.ReadAllText(Path.Combine(layer, "link-then-hardlink")));
    }

    [Fact]
    public void Missing_parent_directories_are_made_with_mode_0755_and_the_root_entry_sets_the_layer_root()
    {
        var tar = Tar(DirEntry("/", (UnixFileMode)0b111_101_000), FileEntry("a/b/c/file", "deep"));

        var layer = Extract(tar);

        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(layer));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(layer, "a", "b")));
        Assert.Equal("deep", File.ReadAllText(Path.Combine(layer, "a", "b", "c", "file")));
    }

    [Fact]
    public void Without_privileges_devices_become_empty_files_owners_stay_and_opaque_uses_user_xattrs()
    {
        var tar = Tar(
            new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3, Mode = (UnixFileMode)0b110_110_110 },
            new PaxTarEntry(TarEntryType.RegularFile, "owned") { Uid = 1234, Gid = 5678, DataStream = new MemoryStream("x"u8.ToArray()) },
            DirEntry("replaced/"), WhiteoutEntry("replaced/.wh..wh..opq"), WhiteoutEntry(".wh.deleted"));

        var layer = Extract(tar, privileged: false);

        Assert.Equal("regular empty file 0 0", FileTree.TypeAndDevice(Path.Combine(layer, "dev", "null")));
        Assert.Equal($"{Environment.UserName}", ExternalTool.Run("stat", "-c", "%U", Path.Combine(layer, "owned")).Trim());
        Assert.Equal("y", FileTree.Xattr(Path.Combine(layer, "replaced"), "user.overlay.opaque"));
        Assert.Null(FileTree.Xattr(Path.Combine(layer, "replaced"), "trusted.overlay.opaque"));
        Assert.Equal("character special file 0 0", FileTree.TypeAndDevice(Path.Combine(layer, "deleted")));
    }

    [Fact]
    public void Rootless_layers_work_under_overlay_with_userxattr()
    {
        var lower = Extract(Tar(DirEntry("d/"), FileEntry("d/old", "old"), FileEntry("gone", "x")), privileged: false);
        var upper = Extract(Tar(DirEntry("d/"), WhiteoutEntry("d/.wh..wh..opq"), FileEntry("d/new", "new"), WhiteoutEntry(".wh.gone")), privileged: false);
        var mount = Directory.CreateDirectory(Path.Combine(_work, "mnt")).FullName;

        ExternalTool.Run("mount", "-t", "overlay", "overlay", "-o", $"userxattr,lowerdir={upper}:{lower}", mount);
        try
        {
            Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(mount, "d")).Select(Path.GetFileName));
            Assert.False(File.Exists(Path.Combine(mount, "gone")));
        }
        finally
        {
            ExternalTool.Run("umount", mount);
        }
    }

    [Fact]
    public void A_tar_ending_without_padding_or_end_blocks_is_complete()
    {
        var tar = Tar(new UstarTarEntry(TarEntryType.RegularFile, "a") { DataStream = new MemoryStream("1234567"u8.ToArray()) });
        var cut = tar[..(512 + 7)]; // what umoci insert writes: header, data, nothing more

        var layer = Extract(cut, bufferSize: 1024);

        Assert.Equal("1234567", File.ReadAllText(Path.Combine(layer, "a")));
    }

    [Fact]
    public void A_tar_cut_inside_a_files_data_is_invalid()
    {
        var tar = Tar(FileEntry("a", new string('x', 2000)));

        Assert.Throws<InvalidDataException>(() => Extract(tar[..1500]));
    }

    public void Dispose()
    {
        ExternalTool.Run("chmod", "-R", "u+rwx", _work);
        Directory.Delete(_work, recursive: true);
    }
}
