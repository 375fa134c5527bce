using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Bento.Runtime.Errors;
using static Bento.Runtime.Tests.Images.CraftedLayout;

namespace Bento.Runtime.Tests.Images;

/// <summary>Content that does not match its digest, and input that is not an image, fail with the SPEC's errors
/// and leave the store as it was.</summary>
[Collection(ImageCollection.Name)]
public sealed class IntegrityTests(ImageFixtures fixtures) : IDisposable
{
    private readonly string _work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bento-integrity-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)))).FullName;

    private string CopyOf(string layout)
    {
        var copy = Path.Combine(_work, Path.GetFileName(layout));
        ImageFixtures.CopyDirectory(layout, copy);
        return copy;
    }

    private static JsonNode Manifest(string layout) =>
        JsonNode.Parse(File.ReadAllBytes(ImageFixtures.BlobPath(layout, (string)ImageFixtures.ReadIndex(layout)[0]!["digest"]!)))!;

    private static string LayerBlob(string layout) => ImageFixtures.BlobPath(layout, (string)Manifest(layout)["layers"]![0]!["digest"]!);

    private static BentoException ImportFails(TestStore store, string path, string errorId)
    {
        var error = Assert.Throws<BentoException>(() => store.Images.Import(path));
        Assert.Equal(errorId, error.ErrorId);
        store.AssertEmpty();
        return error;
    }

    [Theory]
    [InlineData("uncompressed")]
    [InlineData("gzip")]
    public void A_layer_changed_after_it_was_digested_is_a_digest_mismatch(string compression)
    {
        var layout = CopyOf(compression == "gzip" ? fixtures.BusyboxLayout : fixtures.UncompressedLayout);
        var blob = LayerBlob(layout);
        var bytes = File.ReadAllBytes(blob);
        bytes[bytes.Length / 2] ^= 0x01; // inside busybox's data (or its deflate stream)
        File.WriteAllBytes(blob, bytes);

        using var store = new TestStore();
        var error = ImportFails(store, layout, "DigestMismatch");
        Assert.Equal(BentoErrorCategory.InvalidData, error.Category);
    }

    [Fact]
    public void A_changed_config_is_a_digest_mismatch()
    {
        var layout = CopyOf(fixtures.UncompressedLayout);
        var config = ImageFixtures.BlobPath(layout, (string)Manifest(layout)["config"]!["digest"]!);
        File.WriteAllText(config, File.ReadAllText(config).Replace("/bin/sh", "/bin/xx"));

        using var store = new TestStore();
        ImportFails(store, layout, "DigestMismatch");
    }

    [Fact]
    public void A_layer_whose_content_is_not_the_configs_diff_id_is_a_digest_mismatch()
    {
        // The blob matches its descriptor; the config claims a different uncompressed content.
        var layout = new CraftedLayout().Layer(Tar(FileEntry("a", "a\n")), gzip: true)
            .Write(Path.Combine(_work, "wrong-diff-id"), editConfig: config =>
                config["rootfs"]!["diff_ids"] = new JsonArray(Digest(Encoding.UTF8.GetBytes("something else"))));

        using var store = new TestStore();
        var error = ImportFails(store, layout, "DigestMismatch");
        Assert.Contains("uncompressed", error.Message);
    }

    [Fact]
    public void A_descriptor_size_that_does_not_match_the_blob_is_a_digest_mismatch()
    {
        var layout = new CraftedLayout().Layer(FileEntry("a", "a\n"))
            .Write(Path.Combine(_work, "wrong-size"), editManifest: manifest => manifest["layers"]![0]!["size"] = 1);

        using var store = new TestStore();
        ImportFails(store, layout, "DigestMismatch");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void A_truncated_archive_is_an_invalid_image(double keep)
    {
        var bytes = File.ReadAllBytes(fixtures.DockerArchive);
        var truncated = Path.Combine(_work, "truncated.tar");
        File.WriteAllBytes(truncated, bytes[..(int)(bytes.Length * keep)]);

        using var store = new TestStore();
        var error = ImportFails(store, truncated, "InvalidImage");
        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [InlineData("text", "this is not an image\n")]
    [InlineData("empty", "")]
    [InlineData("gzip-of-text", null)]
    public void Input_that_is_not_an_archive_is_an_invalid_image(string name, string? content)
    {
        var path = Path.Combine(_work, name);
        if (content is null)
            File.WriteAllBytes(path, ImportFormatTests.Gzip(Encoding.UTF8.GetBytes("not a tar either\n")));
        else
            File.WriteAllText(path, content);

        using var store = new TestStore();
        var error = ImportFails(store, path, "InvalidImage");
        Assert.Equal(BentoErrorCategory.InvalidData, error.Category);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_tar_without_image_metadata_is_an_invalid_image()
    {
        var path = Path.Combine(_work, "plain.tar");
        File.WriteAllBytes(path, Tar(FileEntry("hello.txt", "hi\n")));

        using var store = new TestStore();
        var error = ImportFails(store, path, "InvalidImage");
        Assert.Contains("index.json", error.Message);
    }

    [Fact]
    public void Broken_json_is_an_invalid_image_naming_the_file()
    {
        var path = Path.Combine(_work, "broken-json.tar");
        File.WriteAllBytes(path, Tar(FileEntry("manifest.json", "[{\"Config\": ")));

        using var store = new TestStore();
        var error = ImportFails(store, path, "InvalidImage");
        Assert.Contains("manifest.json", error.Message);
    }

    [Fact]
    public void A_missing_blob_is_an_invalid_image()
    {
        var layout = CopyOf(fixtures.ZstdLayout);
        File.Delete(LayerBlob(layout));

        using var store = new TestStore();
        var error = ImportFails(store, layout, "InvalidImage");
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void A_digest_that_is_not_a_digest_never_becomes_a_path()
    {
        var layout = CopyOf(fixtures.ZstdLayout);
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        index["manifests"]![0]!["digest"] = "sha256:../../../../etc/passwd";
        File.WriteAllText(Path.Combine(layout, "index.json"), index.ToJsonString());

        using var store = new TestStore();
        var error = ImportFails(store, layout, "InvalidImage");
        Assert.Contains("invalid digest", error.Message);
    }

    public static TheoryData<string> EscapingArchives => ["dot-dot-config", "absolute-layer", "symlink-absolute", "symlink-relative"];

    [Theory]
    [MemberData(nameof(EscapingArchives))]
    public void Docker_archive_paths_and_symlinks_must_stay_inside_the_archive(string name)
    {
        var configJson = """{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""";
        var entries = new List<TarEntry>
        {
            FileEntry("config.json", configJson),
        };
        var manifest = name switch
        {
            "dot-dot-config" => """[{"Config":"../../../etc/passwd","RepoTags":["x:y"],"Layers":[]}]""",
            "absolute-layer" => """[{"Config":"config.json","RepoTags":["x:y"],"Layers":["/etc/passwd"]}]""",
            _ => """[{"Config":"link.json","RepoTags":["x:y"],"Layers":[]}]""",
        };
        if (name == "symlink-absolute")
            entries.Add(SymlinkEntry("link.json", "/etc/passwd"));
        if (name == "symlink-relative")
            entries.Add(SymlinkEntry("link.json", "a/../../../../../../../../etc/passwd"));
        entries.Add(FileEntry("manifest.json", manifest));
        var path = Path.Combine(_work, name + ".tar");
        File.WriteAllBytes(path, Tar([.. entries]));

        using var store = new TestStore();
        var error = ImportFails(store, path, "InvalidImage");
        Assert.Contains("outside the archive", error.Message);
    }

    [Fact]
    public void A_relative_symlink_inside_the_archive_is_followed()
    {
        var configJson = """{"architecture":"amd64","os":"linux","config":{"Cmd":["true"]},"rootfs":{"type":"layers","diff_ids":[]}}""";
        var path = Path.Combine(_work, "inside-link.tar");
        File.WriteAllBytes(path, Tar(
            DirEntry("real/"),
            FileEntry("real/config.json", configJson),
            DirEntry("other/"),
            SymlinkEntry("other/config.json", "../real/./config.json"),
            FileEntry("manifest.json", """[{"Config":"other/config.json","RepoTags":["linked:latest"],"Layers":[]}]""")));

        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(path));

        Assert.Equal("linked:latest", image.Name);
        Assert.Equal(Digest(Encoding.UTF8.GetBytes(configJson)), image.Id);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
