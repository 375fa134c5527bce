using System.Text.Json;
using Bento.Runtime.Images.Extraction;
using Bento.Runtime.Images.ImageFormats;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Images;

/// <summary>
/// Puts verified images into the store. Layers are extracted without the store lock (that can take a while), each
/// into its own temp directory; then, under the lock, the new layer directories are renamed into place, the
/// manifest and config blobs written and images.json updated. A layer found in the store at the start may have
/// been freed by a concurrent removal by the time the lock is held; it is then extracted after all.
/// </summary>
internal sealed class ImageImporter
{
    private const int MaxCommitAttempts = 3;

    private readonly BentoPaths _paths;
    private readonly ImageCatalog _catalog;

    public ImageImporter(BentoPaths paths, ImageCatalog catalog)
    {
        _paths = paths;
        _catalog = catalog;
    }

    public IReadOnlyList<BentoImage> Install(IReadOnlyList<ImagePlan> plans, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var privileged = Environment.IsPrivilegedProcess;
        var layers = plans.SelectMany(p => p.Layers).DistinctBy(l => l.DiffId).ToList();
        var extracted = new Dictionary<string, ExtractedLayer>(StringComparer.Ordinal);
        try
        {
            var missing = layers.Where(l => !Directory.Exists(_paths.LayerDir(l.DiffId))).ToList();
            ExtractAll(missing, extracted, privileged, progress, cancellationToken);
            for (var attempt = 1; ; attempt++)
            {
                List<LayerPlan> vanished;
                using (StoreLock.Acquire(_paths.LockFile))
                {
                    vanished = layers.Where(l => !extracted.ContainsKey(l.DiffId) && !Directory.Exists(_paths.LayerDir(l.DiffId))).ToList();
                    if (vanished.Count == 0)
                        return Commit(plans, extracted);
                }
                if (attempt == MaxCommitAttempts)
                    throw new IOException("Layers kept disappearing from the store while importing (another session is removing images); try again.");
                ExtractAll(vanished, extracted, privileged, progress, cancellationToken);
            }
        }
        finally
        {
            // Committed layers were renamed away; whatever is left is a failed or redundant extraction.
            foreach (var layer in extracted.Values)
                TreeRemover.TryDelete(layer.Directory);
        }
    }

    private void ExtractAll(List<LayerPlan> layers, Dictionary<string, ExtractedLayer> into, bool privileged,
        IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var reporter = new ImportProgressReporter(progress, layers.Sum(l => l.Blob.Length));
        for (var i = 0; i < layers.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layer = layers[i];
            reporter.Begin($"Extracting layer {i + 1} of {layers.Count} ({layer.DiffId[7..19]})");
            into[layer.DiffId] = LayerImporter.Extract(layer, _paths.Temp, privileged, reporter, cancellationToken);
        }
        if (layers.Count > 0)
            reporter.Complete();
    }

    /// <summary>Call under the store lock. Either every image is recorded or nothing new stays in the store.</summary>
    private List<BentoImage> Commit(IReadOnlyList<ImagePlan> plans, Dictionary<string, ExtractedLayer> extracted)
    {
        var newLayers = new List<string>();
        var newBlobs = new List<string>();
        try
        {
            foreach (var layer in extracted.Values)
            {
                var final = _paths.LayerDir(layer.DiffId);
                if (Directory.Exists(final))
                    continue; // another import brought the same layer in meanwhile
                StoreFiles.WriteLayerRecord(_paths, new LayerRecord { DiffId = layer.DiffId, Size = layer.Size, Entries = layer.Entries });
                Directory.Move(layer.Directory, final);
                newLayers.Add(layer.DiffId);
            }

            var index = StoreFiles.ReadIndex(_paths);
            var recorded = new List<(string Name, string ManifestDigest)>();
            foreach (var plan in plans)
            {
                var manifest = plan.ManifestBytes ?? WriteManifest(plan);
                var manifestDigest = Digests.Of(manifest);
                if (StoreFiles.WriteBlobIfMissing(_paths, plan.ConfigDigest, plan.ConfigBytes))
                    newBlobs.Add(plan.ConfigDigest);
                if (StoreFiles.WriteBlobIfMissing(_paths, manifestDigest, manifest))
                    newBlobs.Add(manifestDigest);
                foreach (var name in plan.Names)
                {
                    index.Images[name] = manifestDigest;
                    recorded.Add((name, manifestDigest));
                }
            }
            StoreFiles.WriteIndex(_paths, index);
            return recorded.Select(r => _catalog.Describe(r.Name, r.ManifestDigest)).ToList();
        }
        catch
        {
            foreach (var diffId in newLayers)
            {
                var trash = StoreFiles.NewTrashPath(_paths);
                try
                {
                    Directory.Move(_paths.LayerDir(diffId), trash);
                    File.Delete(StoreFiles.LayerRecordPath(_paths, diffId));
                }
                catch (IOException) { }
                TreeRemover.TryDelete(trash);
                _catalog.ForgetLayer(diffId);
            }
            foreach (var digest in newBlobs)
            {
                try { File.Delete(_paths.BlobPath(digest)); } catch (IOException) { }
            }
            throw;
        }
    }

    /// <summary>Docker archives carry no manifest; the store describes the layers as it keeps them: uncompressed,
    /// addressed by diff-id.</summary>
    private byte[] WriteManifest(ImagePlan plan)
    {
        var manifest = new OciManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.OciManifest,
            Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = plan.ConfigDigest, Size = plan.ConfigBytes.Length },
            Layers = plan.Layers.Select(l => new OciDescriptor
            {
                MediaType = MediaTypes.OciLayer,
                Digest = l.DiffId,
                Size = _catalog.LayerSize(l.DiffId),
            }).ToList(),
        };
        return JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.OciManifest);
    }
}
