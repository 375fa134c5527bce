using System.Text.Json;
using Bento.Runtime.Images.Sources;

namespace Bento.Runtime.Images.ImageFormats;

/// <summary>
/// OCI image layouts (a directory, an OCI archive, or a Docker 25+ save, which is also one): index.json lists
/// manifests and indexes; nested multi-platform indexes resolve to this host's platform.
/// </summary>
internal static class OciLayoutReader
{
    public const string IndexFile = "index.json";
    public const string LayoutMarkerFile = "oci-layout";
    private const int MaxIndexDepth = 8;

    /// <summary>A manifest an index points at. Its blob is read only if it is chosen: a multi-platform save may
    /// leave out the other platforms' blobs.</summary>
    private sealed record Candidate(OciDescriptor Descriptor, Dictionary<string, string>? Annotations);

    public static List<ImagePlan> Read(ImageSource source)
    {
        if (source.Find(LayoutMarkerFile) is { } markerLocation)
        {
            var marker = ImageJson.Parse(source.ReadAll(markerLocation, "The oci-layout file"), ImageJsonContext.Default.OciLayoutMarker, LayoutMarkerFile);
            if (marker.ImageLayoutVersion is not { } version || !version.StartsWith("1.", StringComparison.Ordinal))
                throw new ImageFormatException($"oci-layout has an unsupported imageLayoutVersion '{marker.ImageLayoutVersion}'.");
        }
        var index = ImageJson.Parse(source.ReadAll(IndexFile, "The layout's index"), ImageJsonContext.Default.OciIndex, IndexFile);
        var descriptors = index.Manifests ?? [];
        if (descriptors.Count == 0)
            throw new ImageFormatException("index.json lists no images.");

        // A Docker 25+ save has RepoTags in manifest.json; they are the names docker users know.
        var dockerNames = source.Exists(DockerArchiveReader.ManifestFile) ? DockerArchiveReader.NamesByConfig(source) : null;
        var repository = ImageReference.RepositoryFromFileName(source.DisplayPath);

        // Each top-level index is one multi-platform image; top-level manifests group by name, since a layout may
        // also list the platforms of one image side by side.
        var groups = new List<List<Candidate>>();
        var byName = new Dictionary<string, List<Candidate>>(StringComparer.Ordinal);
        foreach (var descriptor in descriptors)
        {
            var candidates = new List<Candidate>();
            Collect(source, descriptor, descriptor.Annotations, 0, candidates);
            if (candidates.Count == 0)
                continue;
            if (IsIndex(descriptor, candidates))
            {
                groups.Add(candidates);
                continue;
            }
            var key = RefName(descriptor.Annotations) ?? "";
            if (!byName.TryGetValue(key, out var group))
                groups.Add(byName[key] = group = []);
            group.AddRange(candidates);
        }

        var plans = new List<ImagePlan>();
        foreach (var group in groups)
        {
            foreach (var candidate in ChoosePlatform(group))
            {
                var plan = FromManifest(source, candidate, $"manifest {candidate.Descriptor.Digest}");
                if (plan is null)
                    continue;
                plan.Names = dockerNames?.GetValueOrDefault(plan.ConfigDigest) is { Count: > 0 } tags
                    ? tags
                    : NameFromAnnotations(candidate.Annotations, repository);
                plans.Add(plan);
            }
        }
        if (plans.Count == 0)
            throw new ImageFormatException("index.json lists no container images (only other artifacts).");
        return plans;
    }

    private static bool IsIndex(OciDescriptor descriptor, List<Candidate> found) =>
        found.Count > 1 || found[0].Descriptor != descriptor;

    private static void Collect(ImageSource source, OciDescriptor descriptor, Dictionary<string, string>? annotations, int depth, List<Candidate> into)
    {
        if (depth > MaxIndexDepth)
            throw new ImageFormatException("The image index nests too deeply.");
        var what = $"The manifest {descriptor.Digest}";
        var mediaType = descriptor.MediaType;
        byte[]? bytes = null;
        if (string.IsNullOrEmpty(mediaType) && ImageJson.HasBlob(source, descriptor.Digest, what))
        {
            // No media type on the descriptor: the document's own, or its shape, tells an index from a manifest.
            bytes = ImageJson.ReadVerifiedBlob(source, descriptor, what);
            var probe = ImageJson.Parse(bytes, ImageJsonContext.Default.MediaTypeProbe, what);
            mediaType = probe.MediaType ?? (probe.Manifests is { ValueKind: JsonValueKind.Array } ? MediaTypes.OciIndex
                : probe.Layers is { ValueKind: JsonValueKind.Array } ? MediaTypes.OciManifest : null);
        }
        if (MediaTypes.IsIndex(mediaType))
        {
            var nested = ImageJson.Parse(bytes ?? ImageJson.ReadVerifiedBlob(source, descriptor, what), ImageJsonContext.Default.OciIndex, what);
            foreach (var child in nested.Manifests ?? [])
                Collect(source, child, child.Annotations ?? annotations, depth + 1, into);
        }
        else if (MediaTypes.IsManifest(mediaType) || string.IsNullOrEmpty(mediaType))
        {
            into.Add(new Candidate(descriptor, annotations));
        }
        else if (mediaType == "application/vnd.docker.distribution.manifest.v1+json" || mediaType == "application/vnd.docker.distribution.manifest.v1+prettyjws")
        {
            throw new ImageFormatException("Docker schema 1 manifests are not supported.");
        }
        // Anything else is an artifact (signature, SBOM, …) and not an image: skipped.
    }

    /// <summary>From one image's platform variants, the one for this host. Manifests that state no platform are
    /// separate images and all kept.</summary>
    private static IEnumerable<Candidate> ChoosePlatform(List<Candidate> group)
    {
        var distinct = group.DistinctBy(c => c.Descriptor.Digest).ToList();
        var withPlatform = distinct.Where(c => c.Descriptor.Platform is not null).ToList();
        if (distinct.Count <= 1 || withPlatform.Count == 0)
            return distinct;
        var matching = withPlatform.Where(c => HostPlatform.Matches(c.Descriptor.Platform!)).ToList();
        if (matching.Count > 0)
        {
            var best = matching.FirstOrDefault(c => c.Descriptor.Platform!.Variant == HostPlatform.Variant)
                ?? matching.FirstOrDefault(c => c.Descriptor.Platform!.Variant is null)
                ?? matching[0];
            return [best];
        }
        var withoutPlatform = distinct.Where(c => c.Descriptor.Platform is null).ToList();
        if (withoutPlatform.Count > 0)
            return withoutPlatform;
        var available = string.Join(", ", withPlatform.Select(c => c.Descriptor.Platform!.ToString()).Distinct());
        throw new ImageFormatException($"The image has no variant for this machine ({HostPlatform.Describe()}); it has {available}.");
    }

    private static ImagePlan? FromManifest(ImageSource source, Candidate candidate, string origin)
    {
        var manifestBytes = ImageJson.ReadVerifiedBlob(source, candidate.Descriptor, $"The manifest {candidate.Descriptor.Digest}");
        var manifest = ImageJson.Parse(manifestBytes, ImageJsonContext.Default.OciManifest, origin);
        if (manifest.Config is null && manifest.Layers is null)
            return null; // an index or other document behind a descriptor that did not say what it was
        if (manifest.SchemaVersion != 2)
            throw new ImageFormatException($"{origin} has schemaVersion {manifest.SchemaVersion}; only 2 is supported.");
        var configDescriptor = manifest.Config ?? throw new ImageFormatException($"{origin} has no config.");
        if (!MediaTypes.IsImageConfig(configDescriptor.MediaType))
            return null;
        var configBytes = ImageJson.ReadVerifiedBlob(source, configDescriptor, $"The image config {configDescriptor.Digest}");
        var layerDescriptors = manifest.Layers ?? [];
        var config = ImageJson.ParseConfig(configBytes, layerDescriptors.Count, $"The image config {configDescriptor.Digest}");
        var layers = new List<LayerPlan>();
        for (var i = 0; i < layerDescriptors.Count; i++)
        {
            var layer = layerDescriptors[i];
            layers.Add(new LayerPlan
            {
                DiffId = config.RootFs!.DiffIds![i],
                Blob = ImageJson.LocateBlob(source, layer.Digest, "The layer"),
                BlobDigest = layer.Digest,
                BlobSize = layer.Size > 0 ? layer.Size : null,
            });
        }
        return new ImagePlan
        {
            Origin = origin,
            ConfigBytes = configBytes,
            ConfigDigest = configDescriptor.Digest!,
            Config = config,
            ManifestBytes = manifestBytes,
            Layers = layers,
        };
    }

    private static string? RefName(Dictionary<string, string>? annotations) =>
        annotations?.GetValueOrDefault(Annotations.RefName);

    /// <summary>io.containerd.image.name holds a full reference; ref.name may too, or only a tag, which then
    /// belongs to a repository named after the layout's file or folder.</summary>
    private static List<string> NameFromAnnotations(Dictionary<string, string>? annotations, string repository)
    {
        if (annotations?.GetValueOrDefault(Annotations.ContainerdImageName) is { } full && ImageReference.Normalize(full, out _) is { } fullName)
            return [fullName];
        if (RefName(annotations) is not { Length: > 0 } reference)
            return [];
        var name = ImageReference.IsTag(reference) ? repository + ":" + reference : reference;
        return [ImageReference.Normalize(name, out var error)
            ?? throw new ImageFormatException($"The annotation {Annotations.RefName}='{reference}' is not a valid image name: {error}.")];
    }
}
