using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Images;

/// <summary>An image as stored: its manifest, its config and its layers (diff-ids, bottom first).</summary>
internal sealed record StoredImage(string ManifestDigest, string ConfigDigest, ImageConfigFile Config, IReadOnlyList<string> DiffIds);

/// <summary>Reads the store's images. Blobs are content-addressed and never change, so what was parsed once is
/// cached for the life of the store object; only images.json is re-read each time.</summary>
internal sealed partial class ImageCatalog
{
    private readonly BentoPaths _paths;
    private readonly ConcurrentDictionary<string, StoredImage> _images = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _layerSizes = new(StringComparer.Ordinal);

    public ImageCatalog(BentoPaths paths) => _paths = paths;

    /// <summary>The image a manifest describes, or null when its blobs are missing or damaged.</summary>
    public StoredImage? Load(string manifestDigest)
    {
        if (_images.TryGetValue(manifestDigest, out var cached))
            return cached;
        try
        {
            var manifest = JsonSerializer.Deserialize(File.ReadAllBytes(_paths.BlobPath(manifestDigest)), ImageJsonContext.Default.OciManifest);
            var configDigest = manifest?.Config?.Digest;
            if (!Digests.IsValid(configDigest))
                return null;
            var config = JsonSerializer.Deserialize(File.ReadAllBytes(_paths.BlobPath(configDigest!)), ImageJsonContext.Default.ImageConfigFile);
            if (config?.RootFs?.DiffIds is not { } diffIds || !diffIds.All(Digests.IsValid))
                return null;
            var image = new StoredImage(manifestDigest, configDigest!, config, diffIds.ToArray());
            _images[manifestDigest] = image;
            return image;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public void Forget(string manifestDigest) => _images.TryRemove(manifestDigest, out _);

    public IReadOnlyList<BentoImage> All()
    {
        var index = StoreFiles.ReadIndex(_paths);
        return index.Images.Select(pair => Describe(pair.Key, pair.Value)).ToList();
    }

    /// <summary>The pipeline object for one name. A name whose blobs are damaged or gone still yields an object, so
    /// that it can be seen and removed; lacking a config, its Id is the manifest digest.</summary>
    public BentoImage Describe(string name, string manifestDigest)
    {
        if (Load(manifestDigest) is not { } image)
            return new BentoImage { Name = name, Id = manifestDigest, Digest = manifestDigest };
        var config = image.Config;
        return new BentoImage
        {
            Name = name,
            Id = image.ConfigDigest,
            Digest = manifestDigest,
            Size = image.DiffIds.Sum(LayerSize),
            Created = ParseCreated(config.Created),
            Architecture = config.Architecture ?? "",
            Os = config.Os ?? "",
            Layers = image.DiffIds,
            Entrypoint = config.Config?.Entrypoint?.ToArray(),
            Cmd = config.Config?.Cmd?.ToArray(),
            Env = config.Config?.Env?.ToArray() ?? [],
            WorkingDir = string.IsNullOrEmpty(config.Config?.WorkingDir) ? null : config.Config.WorkingDir,
            User = string.IsNullOrEmpty(config.Config?.User) ? null : config.Config.User,
            Labels = config.Config?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
        };
    }

    /// <summary>Uncompressed size of a layer, from the record written when it was extracted.</summary>
    public long LayerSize(string diffId)
    {
        if (_layerSizes.TryGetValue(diffId, out var size))
            return size;
        if (StoreFiles.ReadLayerRecord(_paths, diffId) is not { } record)
            return 0;
        return _layerSizes[diffId] = record.Size;
    }

    public void ForgetLayer(string diffId) => _layerSizes.TryRemove(diffId, out _);

    // Docker writes nanoseconds; DateTimeOffset parses at most seven fractional digits.
    [GeneratedRegex(@"(\.\d{7})\d+")]
    private static partial Regex ExcessFraction();

    internal static DateTimeOffset? ParseCreated(string? created)
    {
        if (string.IsNullOrEmpty(created))
            return null;
        var trimmed = ExcessFraction().Replace(created, "$1");
        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) && value.Year > 1
            ? value
            : null;
    }
}
