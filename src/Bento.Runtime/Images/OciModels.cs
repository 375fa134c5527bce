using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bento.Runtime.Images;

/// <summary>Media types this store reads and writes (OCI image spec, and Docker's v2 equivalents).</summary>
internal static class MediaTypes
{
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;
    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;
    public static bool IsImageConfig(string? mediaType) => mediaType is null or "" or OciConfig or DockerConfig;
}

internal static class Annotations
{
    public const string RefName = "org.opencontainers.image.ref.name";
    /// <summary>The full reference containerd and Docker 25+ write beside ref.name (which then holds only the tag).</summary>
    public const string ContainerdImageName = "io.containerd.image.name";
}

internal sealed class OciPlatform
{
    [JsonPropertyName("architecture")] public string? Architecture { get; set; }
    [JsonPropertyName("os")] public string? Os { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}

internal sealed class OciDescriptor
{
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("digest")] public string? Digest { get; set; }
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("platform")] public OciPlatform? Platform { get; set; }
    [JsonPropertyName("urls")] public List<string>? Urls { get; set; }
}

/// <summary>An image index (OCI) or manifest list (Docker); also the shape of an image layout's index.json.</summary>
internal sealed class OciIndex
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; set; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("manifests")] public List<OciDescriptor>? Manifests { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

internal sealed class OciManifest
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; set; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("config")] public OciDescriptor? Config { get; set; }
    [JsonPropertyName("layers")] public List<OciDescriptor>? Layers { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>Tells an index from a manifest when the descriptor that pointed at it had no media type.</summary>
internal sealed class MediaTypeProbe
{
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("manifests")] public JsonElement? Manifests { get; set; }
    [JsonPropertyName("layers")] public JsonElement? Layers { get; set; }
    [JsonPropertyName("config")] public JsonElement? Config { get; set; }
}

/// <summary>The OCI image configuration (Docker's is the same with more fields, which are ignored).</summary>
internal sealed class ImageConfigFile
{
    /// <summary>Kept as text: Docker writes nanoseconds, more than DateTimeOffset parses.</summary>
    [JsonPropertyName("created")] public string? Created { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("architecture")] public string? Architecture { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }
    [JsonPropertyName("os")] public string? Os { get; set; }
    [JsonPropertyName("config")] public ContainerConfig? Config { get; set; }
    [JsonPropertyName("rootfs")] public RootFs? RootFs { get; set; }
    [JsonPropertyName("history")] public List<HistoryEntry>? History { get; set; }
}

internal sealed class ContainerConfig
{
    [JsonPropertyName("User")] public string? User { get; set; }
    [JsonPropertyName("Env")] public List<string>? Env { get; set; }
    [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; set; }
    [JsonPropertyName("Cmd")] public List<string>? Cmd { get; set; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; set; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; set; }
}

internal sealed class RootFs
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("diff_ids")] public List<string>? DiffIds { get; set; }
}

internal sealed class HistoryEntry
{
    [JsonPropertyName("created")] public string? Created { get; set; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; set; }
}

/// <summary>One image of a `docker save` manifest.json.</summary>
internal sealed class DockerArchiveManifest
{
    [JsonPropertyName("Config")] public string? Config { get; set; }
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; set; }
    [JsonPropertyName("Layers")] public List<string>? Layers { get; set; }
}

internal sealed class OciLayoutMarker
{
    [JsonPropertyName("imageLayoutVersion")] public string? ImageLayoutVersion { get; set; }
}

/// <summary>images.json: every image name in the store and the manifest it points at.</summary>
internal sealed class ImageIndexDocument
{
    [JsonPropertyName("version")] public int Version { get; set; } = 1;
    [JsonPropertyName("images")] public SortedDictionary<string, string> Images { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>What the store knows about an extracted layer, kept beside its directory.</summary>
internal sealed class LayerRecord
{
    [JsonPropertyName("diffId")] public string? DiffId { get; set; }
    /// <summary>Bytes of the uncompressed layer tar.</summary>
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("entries")] public int Entries { get; set; }
}

/// <summary>Source-generated serialisation: the runtime is used from NativeAOT, so no reflection.
/// Docker reads its JSON case-insensitively; so does this.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(OciIndex))]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(MediaTypeProbe))]
[JsonSerializable(typeof(ImageConfigFile))]
[JsonSerializable(typeof(List<DockerArchiveManifest>))]
[JsonSerializable(typeof(OciLayoutMarker))]
[JsonSerializable(typeof(ImageIndexDocument))]
[JsonSerializable(typeof(LayerRecord))]
internal sealed partial class ImageJsonContext : JsonSerializerContext;
