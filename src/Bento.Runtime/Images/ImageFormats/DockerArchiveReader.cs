using Bento.Runtime.Errors;
using Bento.Runtime.Images.Sources;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Images.ImageFormats;

/// <summary>
/// `docker save` archives described by manifest.json: the legacy form (config "&lt;id&gt;.json", layers
/// "&lt;id&gt;/layer.tar", some of them symlinks to another layer file) and Docker 25+'s, whose paths point into
/// blobs/sha256. Docker writes no manifest for these, so the store writes one when the layers are in.
/// </summary>
internal static class DockerArchiveReader
{
    public const string ManifestFile = "manifest.json";

    public static List<ImagePlan> Read(ImageSource source)
    {
        var entries = ReadManifest(source);
        var plans = new List<ImagePlan>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var origin = entries.Count == 1 ? "manifest.json" : $"image {i + 1} of manifest.json";
            var configPath = entry.Config ?? throw new ImageFormatException($"{origin} names no Config file.");
            var layerPaths = entry.Layers ?? [];
            // Every path is checked before any is used: they come from the archive and must stay inside it.
            foreach (var path in layerPaths.Prepend(configPath))
                ImageSource.SplitConfined(path ?? "", path ?? "");
            var configBytes = source.ReadAll(configPath, "The image config");
            var configDigest = Digests.Of(configBytes);
            if (ClaimedDigest(configPath) is { } claimed && claimed != configDigest)
                throw BentoErrors.DigestMismatch($"the image config '{configPath}'", claimed, configDigest);

            var config = ImageJson.ParseConfig(configBytes, layerPaths.Count, $"The image config '{configPath}'");
            var layers = new List<LayerPlan>();
            for (var j = 0; j < layerPaths.Count; j++)
            {
                var layerPath = layerPaths[j];
                layers.Add(new LayerPlan
                {
                    DiffId = config.RootFs!.DiffIds![j],
                    Blob = source.Get(layerPath, "The layer"),
                    // Only content-addressed paths promise a digest of the file itself; "<id>/layer.tar" does not.
                    BlobDigest = layerPath.StartsWith("blobs/sha256/", StringComparison.Ordinal) ? ClaimedDigest(layerPath) : null,
                });
            }
            plans.Add(new ImagePlan
            {
                Origin = origin,
                Names = NormalizeNames(entry.RepoTags, origin),
                ConfigBytes = configBytes,
                ConfigDigest = configDigest,
                Config = config,
                Layers = layers,
            });
        }
        return plans;
    }

    /// <summary>Config digest → RepoTags, for naming the images of a docker save archive read through its OCI index.</summary>
    public static Dictionary<string, List<string>> NamesByConfig(ImageSource source)
    {
        var names = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in ReadManifest(source))
        {
            if (entry.Config is { } config && ClaimedDigest(config) is { } digest)
                names[digest] = NormalizeNames(entry.RepoTags, "manifest.json");
        }
        return names;
    }

    private static List<DockerArchiveManifest> ReadManifest(ImageSource source)
    {
        var entries = ImageJson.Parse(source.ReadAll(ManifestFile, "The archive's manifest"),
            ImageJsonContext.Default.ListDockerArchiveManifest, ManifestFile);
        if (entries.Count == 0)
            throw new ImageFormatException("manifest.json lists no images.");
        return entries;
    }

    private static List<string> NormalizeNames(List<string>? repoTags, string origin)
    {
        var names = new List<string>();
        foreach (var tag in repoTags ?? [])
        {
            var name = ImageReference.Normalize(tag, out var error)
                ?? throw new ImageFormatException($"{origin} has an invalid image name: {error}.");
            if (!names.Contains(name))
                names.Add(name);
        }
        return names;
    }

    /// <summary>"blobs/sha256/&lt;hex&gt;" and legacy "&lt;hex&gt;.json" name their content's digest.</summary>
    private static string? ClaimedDigest(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".json", StringComparison.Ordinal))
            name = name[..^".json".Length];
        var digest = "sha256:" + name;
        return Digests.IsValid(digest) ? digest : null;
    }
}
