using System.Globalization;
using System.Text.Json;
using Bento.Runtime.Errors;
using Bento.Runtime.Images.Extraction;
using Bento.Runtime.Images.ImageFormats;
using Bento.Runtime.Images.Sources;
using Bento.Runtime.Interop;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Images;

/// <summary>Bytes done of bytes total while importing; Activity names the archive or layer.</summary>
public readonly record struct ImportProgress(long BytesDone, long BytesTotal, string Activity);

/// <summary>What New-BentoImage puts into the image config.</summary>
public sealed class NewImageOptions
{
    public string[]? Command { get; init; }
    public string[]? Entrypoint { get; init; }
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    public string? WorkingDirectory { get; init; }
}

/// <summary>The content-addressed image store: blobs, extracted layers and the name index.</summary>
public sealed partial class ImageStore
{
    /// <summary>Docker's default PATH, which images made from a bare directory get unless told otherwise.</summary>
    public const string DefaultPath = "PATH=" + Process.CommandLookup.DefaultPath;

    private readonly ImageCatalog _catalog;
    private readonly ImageImporter _importer;

    public ImageStore(BentoPaths paths)
    {
        Paths = paths;
        _catalog = new ImageCatalog(paths);
        _importer = new ImageImporter(paths, _catalog);
    }

    public BentoPaths Paths { get; }

    /// <summary>Imports every image in a docker-save archive, OCI archive or OCI layout directory.
    /// <paramref name="name"/> re-tags (only valid when the source holds one image).</summary>
    public IReadOnlyList<BentoImage> Import(string path, string? name = null, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? retag = null;
        if (name is not null)
            retag = ImageReference.Normalize(name, out var error) ?? throw BentoErrors.InvalidArgument(name, $"Cannot name the image '{name}': {error}.");
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath) && !Directory.Exists(fullPath))
            throw BentoErrors.InvalidArgument(path, $"Cannot import '{path}': it does not exist.");

        return Guarded(path, () =>
        {
            Paths.EnsureCreated();
            CleanAbandonedTemp();
            using var source = ImageSourceOpener.Open(fullPath, Paths.Temp, cancellationToken);
            var plans = ReadPlans(source);
            if (retag is not null)
            {
                if (plans.Count != 1)
                    throw BentoErrors.InvalidArgument(name!, $"'{path}' holds {plans.Count} images; a name can only be given to one.");
                plans[0].Names = [retag];
            }
            NameUnnamed(plans, source.DisplayPath);
            return _importer.Install(plans, progress, cancellationToken);
        });
    }

    /// <summary>Makes a one-layer image from a directory tree (docker import).</summary>
    public BentoImage CreateFromDirectory(string name, string directory, NewImageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var normalized = ImageReference.Normalize(name, out var error) ?? throw BentoErrors.InvalidArgument(name ?? "", $"Cannot name the image '{name}': {error}.");
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
            throw BentoErrors.InvalidArgument(directory ?? "", $"'{directory}' is not a directory.");

        return Guarded(directory, () =>
        {
            Paths.EnsureCreated();
            var tarPath = Path.Combine(Paths.Temp, $"newimage-{Environment.ProcessId}-{Guid.NewGuid():N}.tar");
            try
            {
                (string DiffId, long Size) layer;
                try
                {
                    layer = DirectoryLayerWriter.Write(Path.GetFullPath(directory), tarPath);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw BentoErrors.InvalidArgument(directory, $"Cannot read '{directory}': {e.Message}");
                }
                using var tar = File.OpenHandle(tarPath);
                var layerPlan = new LayerPlan
                {
                    DiffId = layer.DiffId,
                    Blob = new BlobLocation(tar, 0, layer.Size, tarPath),
                    BlobDigest = layer.DiffId,
                    BlobSize = layer.Size,
                };
                var plans = new[] { NewImagePlan(normalized, directory, layerPlan, options) };
                return _importer.Install(plans, null, CancellationToken.None)[0];
            }
            finally
            {
                File.Delete(tarPath);
            }
        });
    }

    public IReadOnlyList<BentoImage> List() => Guarded(Paths.ImagesIndex, _catalog.All);

    /// <summary>By name (repo:tag; ":latest" implied), full id (sha256:…), or an unambiguous id prefix (≥ 4 hex).</summary>
    public BentoImage? Find(string nameOrId) =>
        string.IsNullOrWhiteSpace(nameOrId) ? null : Guarded(nameOrId, () => FindUnguarded(nameOrId));

    private BentoImage? FindUnguarded(string nameOrId)
    {
        var text = nameOrId.Trim();
        var index = StoreFiles.ReadIndex(Paths);
        if (index.Images.TryGetValue(text, out var exact))
            return _catalog.Describe(text, exact);
        if (ImageReference.Normalize(text, out _) is { } normalized && index.Images.TryGetValue(normalized, out var digest))
            return _catalog.Describe(normalized, digest);

        var hex = text.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? text[7..] : text;
        hex = hex.ToLowerInvariant();
        if (hex.Length is < 4 or > 64 || !hex.All(char.IsAsciiHexDigitLower))
            return null;
        var matches = index.Images
            .Select(pair => _catalog.Describe(pair.Key, pair.Value))
            .Where(image => image.Id.Length > 7 && image.Id.AsSpan(7).StartsWith(hex))
            .ToList();
        return matches.Select(m => m.Id).Distinct().Count() == 1 ? matches[0] : null;
    }

    public BentoImage Get(string nameOrId) => Find(nameOrId) ?? throw Errors.BentoErrors.ImageNotFound(nameOrId);

    /// <summary>Drops the image's name; when no name points at its manifest any more, frees its blobs and every layer
    /// no other image and none of <paramref name="layersHeldByContainers"/> use.</summary>
    public void Remove(BentoImage image, IReadOnlySet<string> layersHeldByContainers)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(layersHeldByContainers);
        var trash = Guarded(image.Name, () =>
        {
            Paths.EnsureCreated();
            using var storeLock = StoreLock.Acquire(Paths.LockFile);
            var index = StoreFiles.ReadIndex(Paths);
            if (!index.Images.TryGetValue(image.Name, out var digest) || digest != image.Digest)
                throw BentoErrors.ImageNotFound(image.Name);
            index.Images.Remove(image.Name);
            StoreFiles.WriteIndex(Paths, index);
            return CollectGarbage(index, layersHeldByContainers);
        });
        // Outside the lock: deleting a large layer takes a while, and the directories are already out of the store.
        foreach (var directory in trash)
            TreeRemover.TryDelete(directory);
    }

    /// <summary>The extracted layer directories of an image, bottom layer first.</summary>
    public IReadOnlyList<string> LayerDirectories(BentoImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var layers = image.Layers.Count > 0 ? image.Layers : _catalog.Load(image.Digest)?.DiffIds ?? [];
        var directories = new List<string>(layers.Count);
        foreach (var diffId in layers)
        {
            if (!Digests.IsValid(diffId))
                throw BentoErrors.InvalidImage(image.Name, $"its layer id '{diffId}' is not a sha256 digest.");
            var directory = Paths.LayerDir(diffId);
            if (!Directory.Exists(directory))
                throw BentoErrors.InvalidImage(image.Name, $"its layer {diffId} is missing from the store; remove the image and import it again.");
            directories.Add(directory);
        }
        return directories;
    }

    private static List<ImagePlan> ReadPlans(ImageSource source)
    {
        if (source.Exists(OciLayoutReader.IndexFile))
            return MergeTagsOfOneImage(OciLayoutReader.Read(source));
        if (source.Exists(DockerArchiveReader.ManifestFile))
            return MergeTagsOfOneImage(DockerArchiveReader.Read(source));
        throw new ImageFormatException("It has neither an index.json (OCI layout) nor a manifest.json (docker save).");
    }

    /// <summary>A source may list one image once per tag; it is one image with several names (so -Name applies).</summary>
    private static List<ImagePlan> MergeTagsOfOneImage(List<ImagePlan> plans)
    {
        var merged = new List<ImagePlan>();
        foreach (var group in plans.GroupBy(p => p.ManifestBytes is { } manifest ? Digests.Of(manifest) : "config " + p.ConfigDigest))
        {
            var first = group.First();
            first.Names = group.SelectMany(p => p.Names).Distinct().ToList();
            merged.Add(first);
        }
        return merged;
    }

    /// <summary>Images no name was found for get one from the file or folder name; several get their id as tag.</summary>
    private static void NameUnnamed(List<ImagePlan> plans, string sourcePath)
    {
        var unnamed = plans.Where(p => p.Names.Count == 0).ToList();
        var repository = ImageReference.RepositoryFromFileName(sourcePath);
        foreach (var plan in unnamed)
        {
            var tag = unnamed.Count == 1 ? ImageReference.DefaultTag : plan.ConfigDigest[7..19];
            plan.Names = [repository + ":" + tag];
        }
    }

    private static ImagePlan NewImagePlan(string name, string directory, LayerPlan layer, NewImageOptions options)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var env = options.Environment?.Select(pair => $"{pair.Key}={pair.Value}").ToList() ?? [];
        if (options.Environment?.ContainsKey("PATH") != true)
            env.Insert(0, DefaultPath);
        var config = new ImageConfigFile
        {
            Created = now,
            Architecture = HostPlatform.Architecture,
            Variant = HostPlatform.Variant,
            Os = HostPlatform.Os,
            Config = new ContainerConfig
            {
                Env = env,
                Cmd = options.Command?.ToList(),
                Entrypoint = options.Entrypoint?.ToList(),
                WorkingDir = string.IsNullOrEmpty(options.WorkingDirectory) ? null : options.WorkingDirectory,
            },
            RootFs = new RootFs { Type = "layers", DiffIds = [layer.DiffId] },
            History = [new HistoryEntry { Created = now, CreatedBy = "New-BentoImage", Comment = "from " + Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)) }],
        };
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, ImageJsonContext.Default.ImageConfigFile);
        var configDigest = Digests.Of(configBytes);
        var manifest = new OciManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.OciManifest,
            Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest, Size = configBytes.Length },
            Layers = [new OciDescriptor { MediaType = MediaTypes.OciLayer, Digest = layer.DiffId, Size = layer.Blob.Length }],
        };
        return new ImagePlan
        {
            Origin = directory,
            Names = [name],
            ConfigBytes = configBytes,
            ConfigDigest = configDigest,
            Config = config,
            ManifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.OciManifest),
            Layers = [layer],
        };
    }

    /// <summary>Call under the store lock, after the index was written. Deletes blobs no named image uses and moves
    /// unused layer directories aside (returned, to delete after the lock is released: that may take a while).</summary>
    private List<string> CollectGarbage(ImageIndexDocument index, IReadOnlySet<string> layersHeldByContainers)
    {
        var liveBlobs = new HashSet<string>(StringComparer.Ordinal);
        var liveLayers = new HashSet<string>(layersHeldByContainers, StringComparer.Ordinal);
        var everyImageReadable = true;
        foreach (var manifestDigest in index.Images.Values.Distinct())
        {
            liveBlobs.Add(manifestDigest);
            if (_catalog.Load(manifestDigest) is { } image)
            {
                liveBlobs.Add(image.ConfigDigest);
                liveLayers.UnionWith(image.DiffIds);
            }
            else
            {
                everyImageReadable = false;
            }
        }

        foreach (var blob in Directory.EnumerateFiles(Paths.Blobs))
        {
            var digest = "sha256:" + Path.GetFileName(blob);
            if (Digests.IsValid(digest) && !liveBlobs.Contains(digest))
            {
                File.Delete(blob);
                _catalog.Forget(digest);
            }
        }

        var trash = new List<string>();
        // Without knowing every remaining image's layers, none can be proven unused.
        if (!everyImageReadable)
            return trash;
        foreach (var directory in Directory.EnumerateDirectories(Paths.Layers))
        {
            var diffId = "sha256:" + Path.GetFileName(directory);
            if (!Digests.IsValid(diffId) || liveLayers.Contains(diffId))
                continue;
            var aside = StoreFiles.NewTrashPath(Paths);
            Directory.Move(directory, aside);
            trash.Add(aside);
            File.Delete(StoreFiles.LayerRecordPath(Paths, diffId));
            _catalog.ForgetLayer(diffId);
        }
        return trash;
    }

    /// <summary>Temp entries left by an import whose process died (crash, kill -9), recognised by the pid in their name.</summary>
    private void CleanAbandonedTemp()
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(Paths.Temp))
        {
            var parts = Path.GetFileName(entry).Split('-');
            var abandoned = parts[0] == StoreFiles.TrashPrefix
                || (parts.Length >= 3 && parts[0] is "layer" or "archive" or "newimage"
                    && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"));
            if (abandoned)
            {
                if (Directory.Exists(entry))
                    TreeRemover.TryDelete(entry);
                else
                    try { File.Delete(entry); } catch (IOException) { }
            }
        }
    }

    /// <summary>Every failure leaves as a BentoException naming <paramref name="target"/>; cancellation stays an
    /// OperationCanceledException, as callers of a cancellable method expect.</summary>
    private static T Guarded<T>(string target, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is not (BentoException or OperationCanceledException))
        {
            throw Translate(target, e);
        }
    }

    private static BentoException Translate(string target, Exception e) => e switch
    {
        ImageFormatException or InvalidDataException or ZstdSharp.ZstdException or EndOfStreamException
            => BentoErrors.InvalidImage(target, e.Message, e),
        ErrnoException { Errno: Libc.ENAMETOOLONG or Libc.EINVAL or Libc.ENOTDIR or Libc.EISDIR or Libc.EEXIST or Libc.ELOOP }
            => BentoErrors.InvalidImage(target, e.Message, e),
        ErrnoException { Errno: Libc.ENOSPC or Libc.EDQUOT } or IOException { HResult: Libc.ENOSPC }
            => new BentoException("StoreFull", BentoErrorCategory.ResourceUnavailable, $"The image store '{target}' needs more space: {e.Message}", target, e),
        _ => new BentoException("ImageStoreFailed", BentoErrorCategory.NotSpecified, $"Could not complete the operation on '{target}': {e.Message}", target, e),
    };
}
