using System.Text.Json.Nodes;
using Bento.Runtime.Errors;
using Bento.Runtime.Images;
using Bento.Runtime.Images.ImageFormats;

namespace Bento.Runtime.Tests.Images;

/// <summary>Every accepted archive form imports to the same image, with the names the form carries.</summary>
[Collection(ImageCollection.Name)]
public sealed class ImportFormatTests(ImageFixtures fixtures)
{
    private string BusyboxManifestDigest => (string)ImageFixtures.ReadIndex(fixtures.BusyboxLayout)[0]!["digest"]!;

    private string BusyboxConfigDigest => ConfigDigest(fixtures.BusyboxLayout, BusyboxManifestDigest);

    /// <summary>The one layer's diff-id, the same in every form (skopeo rewrites the config when it converts a
    /// docker archive to OCI, so the image id differs between forms; the layer's content does not).</summary>
    private string BusyboxDiffId =>
        (string)JsonNode.Parse(File.ReadAllBytes(ImageFixtures.BlobPath(fixtures.BusyboxLayout, BusyboxConfigDigest)))!["rootfs"]!["diff_ids"]![0]!;

    private static string ConfigDigest(string layout, string manifestDigest) =>
        (string)JsonNode.Parse(File.ReadAllBytes(ImageFixtures.BlobPath(layout, manifestDigest)))!["config"]!["digest"]!;

    [Fact]
    public void Legacy_docker_archive_with_symlinked_layer_files_imports_as_busybox()
    {
        // The fixture must really exercise what it is for: skopeo writes <id>/layer.tar as a symlink.
        var listing = ExternalTool.Run("tar", "-tvf", fixtures.DockerArchive);
        Assert.Contains(listing.Split('\n'), line => line.StartsWith('l') && line.Contains("/layer.tar -> ../"));

        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(fixtures.DockerArchive));

        Assert.Equal("busybox:latest", image.Name);
        Assert.Equal(BusyboxConfigDigest, image.Id);
        Assert.Equal(["/bin/sh"], image.Cmd!);
        Assert.Contains("FROM_UMOCI=yes", image.Env);
        Assert.Equal("/tmp", image.WorkingDir);
        Assert.Equal("busybox", image.Labels["org.example.test"]);
        Assert.Equal("linux", image.Os);
        Assert.Equal(HostPlatform.Architecture, image.Architecture);
        Assert.NotNull(image.Created);
        var layer = Assert.Single(store.Images.LayerDirectories(image));
        AssertBusyboxRootFs(layer);
        Assert.Equal(new FileInfo(Path.Combine(layer, "bin", "busybox")).Length + 4 * 512, image.Size, tolerance: 64 * 1024);
        Assert.Equal(image.Id, store.Images.Get("busybox").Id);
    }

    [Fact]
    public void Oci_layout_directory_is_named_from_its_folder_and_tag()
    {
        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(fixtures.BusyboxLayout));

        Assert.Equal("busybox:latest", image.Name);
        Assert.Equal(BusyboxManifestDigest, image.Digest);
        Assert.Equal(BusyboxConfigDigest, image.Id);
        AssertBusyboxRootFs(Assert.Single(store.Images.LayerDirectories(image)));
    }

    [Fact]
    public void Oci_archive_is_named_from_its_ref_name_annotation()
    {
        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(fixtures.OciArchive));

        Assert.Equal("busybox:latest", image.Name);
        Assert.Equal(BusyboxManifestDigest, image.Digest);
        AssertBusyboxRootFs(Assert.Single(store.Images.LayerDirectories(image)));
    }

    [Fact]
    public void Docker_25_save_is_imported_once_through_its_index_with_the_repo_tags_of_manifest_json()
    {
        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(fixtures.Docker25Archive));

        Assert.Equal("busybox:docker25", image.Name);
        var indexDigest = (string)ImageFixtures.ReadIndex(Path.Combine(fixtures.Root, "docker25"))[0]!["digest"]!;
        Assert.Equal(indexDigest, image.Digest);
        Assert.Equal(ConfigDigest(Path.Combine(fixtures.Root, "docker25"), indexDigest), image.Id);
        Assert.Equal([BusyboxDiffId], image.Layers);
        Assert.Single(store.Images.List());
        Assert.Equal(2, store.Blobs().Length); // its manifest and config, nothing written twice
        AssertBusyboxRootFs(Assert.Single(store.LayerDirectories()));
    }

    public static TheoryData<string, byte[]?> Compressions => new()
    {
        { "gzip", [0x1f, 0x8b] },
        { "zstd", [0x28, 0xb5, 0x2f, 0xfd] },
        { "none", null },
    };

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Layers_may_be_gzip_zstd_or_uncompressed(string compression, byte[]? magic)
    {
        var layout = compression switch { "gzip" => fixtures.BusyboxLayout, "zstd" => fixtures.ZstdLayout, _ => fixtures.UncompressedLayout };
        var manifest = JsonNode.Parse(File.ReadAllBytes(ImageFixtures.BlobPath(layout, (string)ImageFixtures.ReadIndex(layout)[0]!["digest"]!)))!;
        var layerBlob = ImageFixtures.BlobPath(layout, (string)manifest["layers"]![0]!["digest"]!);
        var head = File.ReadAllBytes(layerBlob)[..4];
        if (magic is null)
            Assert.False(head[0] == 0x1f || head[0] == 0x28, "the uncompressed fixture's layer is compressed");
        else
            Assert.Equal(magic, head[..magic.Length]);

        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(layout));

        Assert.Equal(ConfigDigest(layout, (string)ImageFixtures.ReadIndex(layout)[0]!["digest"]!), image.Id);
        Assert.Equal([BusyboxDiffId], image.Layers);
        AssertBusyboxRootFs(Assert.Single(store.Images.LayerDirectories(image)));
    }

    [Fact]
    public void A_multi_platform_index_imports_the_hosts_platform_only()
    {
        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(fixtures.MultiPlatformLayout));

        Assert.Equal("multiarch:latest", image.Name);
        Assert.Equal(HostPlatform.Architecture, image.Architecture);
        Assert.Equal(fixtures.ConfigDigestByArchitecture[HostPlatform.Architecture], image.Id);
        Assert.Single(store.Images.List());
    }

    [Fact]
    public void Other_platforms_blobs_may_be_missing_as_in_a_single_platform_save()
    {
        var layout = Path.Combine(fixtures.Root, "multiarch-host-only");
        if (!Directory.Exists(layout))
        {
            ImageFixtures.CopyDirectory(fixtures.MultiPlatformLayout, layout);
            var nested = JsonNode.Parse(File.ReadAllBytes(ImageFixtures.BlobPath(layout, (string)ImageFixtures.ReadIndex(layout)[0]!["digest"]!)))!;
            foreach (var platform in nested["manifests"]!.AsArray())
            {
                if ((string)platform!["platform"]!["architecture"]! != HostPlatform.Architecture)
                    File.Delete(ImageFixtures.BlobPath(layout, (string)platform["digest"]!));
            }
        }

        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(layout));

        Assert.Equal(fixtures.ConfigDigestByArchitecture[HostPlatform.Architecture], image.Id);
    }

    [Fact]
    public void Several_images_in_one_oci_archive_import_as_several_images_sharing_layers()
    {
        using var store = new TestStore();
        var images = store.Images.Import(fixtures.TwoImageOciArchive);

        Assert.Equal(["two-images:first", "two-images:second"], images.Select(i => i.Name).Order());
        var first = images.Single(i => i.Name.EndsWith(":first"));
        var second = images.Single(i => i.Name.EndsWith(":second"));
        Assert.Single(first.Layers);
        Assert.Equal(2, second.Layers.Count);
        Assert.Equal(first.Layers[0], second.Layers[0]);
        Assert.Equal(2, store.LayerDirectories().Length);
        Assert.Equal("second\n", File.ReadAllText(Path.Combine(store.Images.LayerDirectories(second)[1], "srv", "second.txt")));
    }

    [Fact]
    public void Several_images_in_one_docker_save_import_as_several_images()
    {
        using var store = new TestStore();
        var images = store.Images.Import(fixtures.TwoImageDockerArchive);

        Assert.Equal(["busybox:latest", "layered:latest"], images.Select(i => i.Name).Order());
        Assert.Equal(4, store.LayerDirectories().Length); // busybox's layer is shared
    }

    [Fact]
    public void Name_retags_and_a_name_without_tag_means_latest()
    {
        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(fixtures.DockerArchive, "example.com:5000/team/app"));

        Assert.Equal("example.com:5000/team/app:latest", image.Name);
        Assert.Equal(image.Id, store.Images.Get("example.com:5000/team/app").Id);
        Assert.Null(store.Images.Find("busybox"));
    }

    [Fact]
    public void One_image_listed_under_two_tags_is_one_image_with_two_names()
    {
        var layout = Path.Combine(fixtures.Root, "two-tags");
        if (!Directory.Exists(layout))
        {
            ImageFixtures.CopyDirectory(fixtures.BusyboxLayout, layout);
            ExternalTool.Run("umoci", "tag", "--image", layout + ":latest", "v1");
        }

        using var store = new TestStore();
        var images = store.Images.Import(layout);

        Assert.Equal(["two-tags:latest", "two-tags:v1"], images.Select(i => i.Name).Order());
        Assert.Single(images.Select(i => i.Digest).Distinct());
        var retagged = Assert.Single(store.Images.Import(layout, "renamed:1"));
        Assert.Equal(images[0].Digest, retagged.Digest);
        Assert.Single(store.LayerDirectories());
    }

    [Fact]
    public void Name_is_refused_for_a_source_with_several_images()
    {
        using var store = new TestStore();
        var error = Assert.Throws<BentoException>(() => store.Images.Import(fixtures.TwoImageOciArchive, "one"));

        Assert.Equal("InvalidArgument", error.ErrorId);
        store.AssertEmpty();
    }

    [Fact]
    public void An_invalid_name_is_refused_before_anything_is_read()
    {
        using var store = new TestStore();
        var error = Assert.Throws<BentoException>(() => store.Images.Import(fixtures.DockerArchive, "Not A Name"));

        Assert.Equal("InvalidArgument", error.ErrorId);
    }

    [Fact]
    public void An_image_named_nowhere_is_named_after_its_file()
    {
        var layout = Path.Combine(fixtures.Root, "Unnamed Image");
        if (!Directory.Exists(layout))
        {
            ImageFixtures.CopyDirectory(fixtures.UncompressedLayout, layout);
            var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
            index["manifests"]![0]!.AsObject().Remove("annotations");
            File.WriteAllText(Path.Combine(layout, "index.json"), index.ToJsonString());
        }

        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(layout));

        Assert.Equal("unnamed-image:latest", image.Name);
    }

    [Fact]
    public void A_gzip_compressed_archive_is_accepted()
    {
        var compressed = Path.Combine(fixtures.Root, "busybox-docker.tar.gz");
        if (!File.Exists(compressed))
            File.WriteAllBytes(compressed, Gzip(File.ReadAllBytes(fixtures.DockerArchive)));

        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(compressed));

        Assert.Equal("busybox:latest", image.Name);
        store.Images.Remove(image, new HashSet<string>());
        Assert.Empty(store.TempEntries());
    }

    [Fact]
    public void Progress_is_reported_up_to_the_total()
    {
        using var store = new TestStore();
        var reports = new List<ImportProgress>();
        store.Images.Import(fixtures.DockerArchive, progress: new SynchronousProgress(reports.Add));

        Assert.NotEmpty(reports);
        var last = reports[^1];
        Assert.True(last.BytesTotal > 1_000_000);
        Assert.Equal(last.BytesTotal, last.BytesDone);
        Assert.All(reports, r => Assert.InRange(r.BytesDone, 0, r.BytesTotal));
        Assert.Contains(reports, r => r.Activity.Contains("layer", StringComparison.OrdinalIgnoreCase));
    }

    internal static void AssertBusyboxRootFs(string root)
    {
        Assert.Equal(File.ReadAllBytes("/bin/busybox"), File.ReadAllBytes(Path.Combine(root, "bin", "busybox")));
        Assert.Equal("busybox", new FileInfo(Path.Combine(root, "bin", "sh")).LinkTarget);
        Assert.Equal((UnixFileMode)0b1_111_111_111, File.GetUnixFileMode(Path.Combine(root, "tmp")));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(root, "bin", "busybox")));
        Assert.Equal("busybox\n", File.ReadAllText(Path.Combine(root, "etc", "hostname")));
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
            gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; a test wants the reports in order, on the calling thread.</summary>
    internal sealed class SynchronousProgress(Action<ImportProgress> onReport) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => onReport(value);
    }
}
