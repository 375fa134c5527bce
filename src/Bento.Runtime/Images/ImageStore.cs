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
    public ImageStore(BentoPaths paths) => Paths = paths;

    public BentoPaths Paths { get; }

    /// <summary>Imports every image in a docker-save archive, OCI archive or OCI layout directory.
    /// <paramref name="name"/> re-tags (only valid when the source holds one image).</summary>
    public IReadOnlyList<BentoImage> Import(string path, string? name = null, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Makes a one-layer image from a directory tree (docker import).</summary>
    public BentoImage CreateFromDirectory(string name, string directory, NewImageOptions options)
        => throw new NotImplementedException();

    public IReadOnlyList<BentoImage> List() => throw new NotImplementedException();

    /// <summary>By name (repo:tag; ":latest" implied), full id (sha256:…), or an unambiguous id prefix (≥ 4 hex).</summary>
    public BentoImage? Find(string nameOrId) => throw new NotImplementedException();

    public BentoImage Get(string nameOrId) => Find(nameOrId) ?? throw Errors.BentoErrors.ImageNotFound(nameOrId);

    /// <summary>Drops the image's name; when no name points at its manifest any more, frees its blobs and every layer
    /// no other image and none of <paramref name="layersHeldByContainers"/> use.</summary>
    public void Remove(BentoImage image, IReadOnlySet<string> layersHeldByContainers) => throw new NotImplementedException();

    /// <summary>The extracted layer directories of an image, bottom layer first.</summary>
    public IReadOnlyList<string> LayerDirectories(BentoImage image) => throw new NotImplementedException();
}
