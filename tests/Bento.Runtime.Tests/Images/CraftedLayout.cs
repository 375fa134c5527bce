using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Bento.Runtime.Tests.Images;

/// <summary>
/// Builds OCI layouts around layer tars written entry by entry, for what no well-behaved tool produces:
/// hostile paths, odd entry orders, devices, xattrs. Digests are computed honestly unless a test changes them.
/// </summary>
internal sealed class CraftedLayout
{
    private readonly List<(byte[] Blob, string DiffId, string MediaType)> _layers = [];

    public static DateTimeOffset Epoch2020 { get; } = new(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public CraftedLayout Layer(params TarEntry[] entries) => Layer(Tar(entries));

    public CraftedLayout Layer(byte[] tar, bool gzip = false)
    {
        var diffId = Digest(tar);
        _layers.Add(gzip
            ? (ImportFormatTests.Gzip(tar), diffId, "application/vnd.oci.image.layer.v1.tar+gzip")
            : (tar, diffId, "application/vnd.oci.image.layer.v1.tar"));
        return this;
    }

    /// <summary>Writes the layout; <paramref name="editConfig"/> and <paramref name="editManifest"/> may break it on purpose.</summary>
    public string Write(string directory, string refName = "latest", Action<JsonObject>? editConfig = null, Action<JsonObject>? editManifest = null)
    {
        var blobs = Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256")).FullName;
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        var layerDescriptors = new JsonArray();
        foreach (var (blob, _, mediaType) in _layers)
        {
            var digest = Digest(blob);
            File.WriteAllBytes(Path.Combine(blobs, digest[7..]), blob);
            layerDescriptors.Add(new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = blob.Length });
        }
        var config = new JsonObject
        {
            ["created"] = "2024-05-06T07:08:09.123456789Z",
            ["architecture"] = Bento.Runtime.Images.ImageFormats.HostPlatform.Architecture,
            ["os"] = "linux",
            ["config"] = new JsonObject { ["Cmd"] = new JsonArray("/bin/sh") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(_layers.Select(l => (JsonNode)l.DiffId).ToArray()) },
        };
        editConfig?.Invoke(config);
        var (configDigest, configSize) = ImageFixtures.WriteBlob(directory, config.ToJsonString());
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = configSize },
            ["layers"] = layerDescriptors,
        };
        editManifest?.Invoke(manifest);
        var (manifestDigest, manifestSize) = ImageFixtures.WriteBlob(directory, manifest.ToJsonString());
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = manifestDigest,
                ["size"] = manifestSize,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = refName },
            }),
        };
        File.WriteAllText(Path.Combine(directory, "index.json"), index.ToJsonString());
        return directory;
    }

    public static byte[] Tar(params TarEntry[] entries)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, leaveOpen: true))
        {
            foreach (var entry in entries)
                writer.WriteEntry(entry);
        }
        return output.ToArray();
    }

    public static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static PaxTarEntry FileEntry(string name, string content = "", UnixFileMode mode = (UnixFileMode)0b110_100_100,
        IEnumerable<KeyValuePair<string, string>>? pax = null) =>
        new(TarEntryType.RegularFile, name, pax ?? [])
        {
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
            Mode = mode,
            ModificationTime = Epoch2020,
        };

    public static PaxTarEntry DirEntry(string name, UnixFileMode mode = (UnixFileMode)0b111_101_101) =>
        new(TarEntryType.Directory, name) { Mode = mode, ModificationTime = Epoch2020 };

    public static PaxTarEntry SymlinkEntry(string name, string target) =>
        new(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = (UnixFileMode)0b111_111_111, ModificationTime = Epoch2020 };

    public static PaxTarEntry HardLinkEntry(string name, string target) =>
        new(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = Epoch2020 };

    /// <summary>An OCI whiteout marker entry (an empty file with the special name).</summary>
    public static PaxTarEntry WhiteoutEntry(string name) => FileEntry(name, "", UnixFileMode.None);
}
