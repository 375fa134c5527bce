using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Bento.Runtime.Tests.Images;

/// <summary>
/// Image archives made once per test run by tools no one here wrote: umoci builds OCI layouts from Debian's static
/// busybox, skopeo converts them to docker-archive, OCI archive, zstd and uncompressed forms. The few forms those
/// tools cannot write (a Docker 25 save, a multi-platform index, a two-image docker save) are assembled from
/// their output the way Docker lays them out.
/// </summary>
public sealed class ImageFixtures : IDisposable
{
    public ImageFixtures()
    {
        Root = Path.Combine(Path.GetTempPath(), "bento-image-fixtures-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(Root);
        try
        {
            Build();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Root { get; }

    /// <summary>umoci layout, one gzip layer, tagged "latest": imports as busybox:latest (folder name + tag).</summary>
    public string BusyboxLayout => Path.Combine(Root, "busybox");
    /// <summary>skopeo docker-archive: legacy manifest.json, uncompressed layers, "&lt;id&gt;/layer.tar" symlinks.</summary>
    public string DockerArchive => Path.Combine(Root, "busybox-docker.tar");
    /// <summary>skopeo oci-archive with ref name "busybox:latest".</summary>
    public string OciArchive => Path.Combine(Root, "busybox-oci.tar");
    public string ZstdLayout => Path.Combine(Root, "busybox-zstd");
    public string UncompressedLayout => Path.Combine(Root, "busybox-plain");
    /// <summary>Docker 25+ save: an OCI layout (uncompressed layers) with manifest.json beside index.json.</summary>
    public string Docker25Archive => Path.Combine(Root, "docker25.tar");
    /// <summary>index.json → nested index with amd64 and arm64 manifests of busybox.</summary>
    public string MultiPlatformLayout => Path.Combine(Root, "multiarch");
    public Dictionary<string, string> ConfigDigestByArchitecture { get; } = [];
    /// <summary>An OCI archive of a layout with two tags: "first" (busybox) and "second" (busybox + one layer).</summary>
    public string TwoImageOciArchive => Path.Combine(Root, "two-images.tar");
    /// <summary>A docker save of busybox:latest and layered:latest together.</summary>
    public string TwoImageDockerArchive => Path.Combine(Root, "two-docker.tar");
    /// <summary>Four layers: busybox; etc/conf/{a,b}, data/deleteme, opt/replaced/{old1,old2}; umoci repack deleting
    /// data/deleteme and replacing etc/conf with etc/conf/c (per-file whiteouts); umoci insert --opaque replacing
    /// opt/replaced with opt/replaced/new (an opaque whiteout).</summary>
    public string LayeredLayout => Path.Combine(Root, "layered");
    /// <summary>umoci's own unpack of <see cref="LayeredLayout"/>: what the layers must look like stacked.</summary>
    public string LayeredReferenceRootFs => Path.Combine(Root, "layered-unpacked", "rootfs");

    private void Build()
    {
        var stage = Path.Combine(Root, "stage");
        BuildBusybox();
        Skopeo("oci:" + BusyboxLayout + ":latest", "docker-archive:" + DockerArchive + ":docker.io/library/busybox:latest");
        Skopeo("oci:" + BusyboxLayout + ":latest", "oci-archive:" + OciArchive + ":busybox:latest");
        Skopeo("--dest-compress-format", "zstd", "oci:" + BusyboxLayout + ":latest", "oci:" + ZstdLayout + ":latest");
        Skopeo("--dest-oci-accept-uncompressed-layers", "docker-archive:" + DockerArchive, "oci:" + UncompressedLayout + ":latest");
        BuildDocker25();
        BuildMultiPlatform();
        BuildLayered(stage);
        BuildTwoImages();
    }

    private void BuildBusybox()
    {
        ExternalTool.Run("umoci", "init", "--layout", BusyboxLayout);
        ExternalTool.Run("umoci", "new", "--image", BusyboxLayout + ":latest");
        var bundle = Path.Combine(Root, "bundle-busybox");
        ExternalTool.Run("umoci", "unpack", "--image", BusyboxLayout + ":latest", bundle);
        var rootfs = Path.Combine(bundle, "rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
        foreach (var applet in new[] { "sh", "ls", "cat", "echo", "true" })
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
        Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
        File.WriteAllText(Path.Combine(rootfs, "etc", "hostname"), "busybox\n");
        Directory.CreateDirectory(Path.Combine(rootfs, "tmp"));
        File.SetUnixFileMode(Path.Combine(rootfs, "tmp"), (UnixFileMode)0b1_111_111_111);
        ExternalTool.Run("umoci", "repack", "--image", BusyboxLayout + ":latest", bundle);
        ExternalTool.Run("umoci", "config", "--image", BusyboxLayout + ":latest", "--config.cmd", "/bin/sh", "--config.env", "FROM_UMOCI=yes",
            "--config.workingdir", "/tmp", "--config.label", "org.example.test=busybox");
        ExternalTool.Run("umoci", "gc", "--layout", BusyboxLayout);
        Directory.Delete(bundle, recursive: true);
    }

    private static void Skopeo(params string[] arguments) => ExternalTool.Run("skopeo", ["copy", "--quiet", .. arguments]);

    private void BuildDocker25()
    {
        var layout = Path.Combine(Root, "docker25");
        CopyDirectory(UncompressedLayout, layout);
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var descriptor = index["manifests"]![0]!;
        var manifest = JsonNode.Parse(File.ReadAllBytes(BlobPath(layout, (string)descriptor["digest"]!)))!;
        descriptor["annotations"] = new JsonObject
        {
            ["io.containerd.image.name"] = "docker.io/library/busybox:docker25",
            ["org.opencontainers.image.ref.name"] = "docker25",
        };
        File.WriteAllText(Path.Combine(layout, "index.json"), index.ToJsonString());
        var config = (string)manifest["config"]!["digest"]!;
        var layers = manifest["layers"]!.AsArray().Select(l => (JsonNode)("blobs/sha256/" + ((string)l!["digest"]!)[7..])).ToArray();
        var dockerManifest = new JsonArray(new JsonObject
        {
            ["Config"] = "blobs/sha256/" + config[7..],
            ["RepoTags"] = new JsonArray("busybox:docker25"),
            ["Layers"] = new JsonArray(layers),
        });
        File.WriteAllText(Path.Combine(layout, "manifest.json"), dockerManifest.ToJsonString());
        File.WriteAllText(Path.Combine(layout, "repositories"), "{}");
        ExternalTool.Run("tar", "-C", layout, "-cf", Docker25Archive, "blobs", "oci-layout", "index.json", "manifest.json", "repositories");
    }

    private void BuildMultiPlatform()
    {
        var layout = MultiPlatformLayout;
        CopyDirectory(BusyboxLayout, layout);
        var platforms = new JsonArray();
        foreach (var architecture in new[] { "amd64", "arm64", "s390x" })
        {
            ExternalTool.Run("umoci", "config", "--image", layout + ":latest", "--architecture", architecture, "--tag", architecture);
            var tagged = ReadIndex(layout).First(m => (string?)m!["annotations"]?["org.opencontainers.image.ref.name"] == architecture)!;
            var manifest = JsonNode.Parse(File.ReadAllBytes(BlobPath(layout, (string)tagged["digest"]!)))!;
            ConfigDigestByArchitecture[architecture] = (string)manifest["config"]!["digest"]!;
            platforms.Add(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = (string)tagged["digest"]!,
                ["size"] = (long)tagged["size"]!,
                ["platform"] = new JsonObject { ["architecture"] = architecture, ["os"] = "linux" },
            });
        }
        var nested = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = platforms,
        };
        var (digest, size) = WriteBlob(layout, nested.ToJsonString());
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.index.v1+json",
                ["digest"] = digest,
                ["size"] = size,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "latest" },
            }),
        };
        File.WriteAllText(Path.Combine(layout, "index.json"), index.ToJsonString());
    }

    private void BuildLayered(string stage)
    {
        CopyDirectory(BusyboxLayout, LayeredLayout);
        var image = LayeredLayout + ":latest";
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(stage, "etc", "conf")).FullName, "a"), "a\n");
        File.WriteAllText(Path.Combine(stage, "etc", "conf", "b"), "b\n");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(stage, "data")).FullName, "deleteme"), "old\n");
        File.WriteAllText(Path.Combine(stage, "data", "keep"), "kept\n");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(stage, "opt", "replaced")).FullName, "old1"), "1\n");
        File.WriteAllText(Path.Combine(stage, "opt", "replaced", "old2"), "2\n");
        ExternalTool.Run("umoci", "insert", "--image", image, stage, "/");

        var bundle = Path.Combine(Root, "bundle-layered");
        ExternalTool.Run("umoci", "unpack", "--image", image, bundle);
        var rootfs = Path.Combine(bundle, "rootfs");
        File.Delete(Path.Combine(rootfs, "data", "deleteme"));
        Directory.Delete(Path.Combine(rootfs, "etc", "conf"), recursive: true);
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(rootfs, "etc", "conf")).FullName, "c"), "c\n");
        ExternalTool.Run("umoci", "repack", "--image", image, bundle);
        Directory.Delete(bundle, recursive: true);

        var replacement = Path.Combine(Root, "replacement");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(replacement).FullName, "new"), "new\n");
        ExternalTool.Run("umoci", "insert", "--image", image, "--opaque", replacement, "/opt/replaced");
        ExternalTool.Run("umoci", "unpack", "--image", image, Path.Combine(Root, "layered-unpacked"));
    }

    private void BuildTwoImages()
    {
        var layout = Path.Combine(Root, "two-images");
        CopyDirectory(BusyboxLayout, layout);
        ExternalTool.Run("umoci", "tag", "--image", layout + ":latest", "first");
        ExternalTool.Run("umoci", "tag", "--image", layout + ":latest", "second");
        ExternalTool.Run("umoci", "rm", "--image", layout + ":latest");
        var extra = Path.Combine(Root, "extra");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(extra).FullName, "second.txt"), "second\n");
        ExternalTool.Run("umoci", "insert", "--image", layout + ":second", extra, "/srv");
        ExternalTool.Run("tar", "-C", layout, "-cf", TwoImageOciArchive, ".");

        // Docker's multi-image save: two skopeo archives merged, their manifest.json entries side by side.
        var layeredDocker = Path.Combine(Root, "layered-docker.tar");
        Skopeo("oci:" + LayeredLayout + ":latest", "docker-archive:" + layeredDocker + ":layered:latest");
        var merged = Path.Combine(Root, "two-docker");
        Directory.CreateDirectory(merged);
        var entries = new JsonArray();
        foreach (var archive in new[] { DockerArchive, layeredDocker })
        {
            ExternalTool.Run("tar", "-C", merged, "-xf", archive);
            foreach (var entry in JsonNode.Parse(File.ReadAllText(Path.Combine(merged, "manifest.json")))!.AsArray())
                entries.Add(entry!.DeepClone());
        }
        File.WriteAllText(Path.Combine(merged, "manifest.json"), entries.ToJsonString());
        ExternalTool.Run("tar", "-C", merged, "-cf", TwoImageDockerArchive, ".");
    }

    internal static string BlobPath(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

    internal static JsonArray ReadIndex(string layout) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!["manifests"]!.AsArray();

    internal static (string Digest, long Size) WriteBlob(string layout, string content)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(content);
        return WriteBlob(layout, bytes);
    }

    internal static (string Digest, long Size) WriteBlob(string layout, byte[] bytes)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        File.WriteAllBytes(BlobPath(layout, digest), bytes);
        return (digest, bytes.Length);
    }

    internal static void CopyDirectory(string from, string to)
    {
        ExternalTool.Run("cp", "-a", from, to);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ImageCollection : ICollectionFixture<ImageFixtures>
{
    public const string Name = "images";
}
