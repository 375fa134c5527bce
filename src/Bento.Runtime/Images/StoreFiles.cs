using System.Text.Json;
using Bento.Runtime.Errors;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Images;

/// <summary>The store's own small files: images.json and the record beside each layer directory. They are written
/// whole and renamed into place, so a reader without the lock sees the old or the new version, never a mix.</summary>
internal static class StoreFiles
{
    /// <summary>Names what is moved out of the store to be deleted; a leftover one is always safe to delete.</summary>
    public const string TrashPrefix = "trash";

    /// <summary>Where a layer goes to be deleted: renamed out of the store first, so it vanishes from it at once.</summary>
    public static string NewTrashPath(BentoPaths paths) => Path.Combine(paths.Temp, $"{TrashPrefix}-{Guid.NewGuid():N}");

    public static ImageIndexDocument ReadIndex(BentoPaths paths)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(paths.ImagesIndex);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ImageIndexDocument();
        }
        try
        {
            var document = JsonSerializer.Deserialize(bytes, ImageJsonContext.Default.ImageIndexDocument) ?? new ImageIndexDocument();
            // Names pointing at malformed digests are dropped rather than trusted as paths.
            var valid = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, digest) in document.Images ?? [])
            {
                if (Digests.IsValid(digest))
                    valid[name] = digest;
            }
            document.Images = valid;
            return document;
        }
        catch (JsonException e)
        {
            throw new BentoException("StoreCorrupt", BentoErrorCategory.InvalidData,
                $"The image index '{paths.ImagesIndex}' is damaged ({e.Message}); restore or delete it.", paths.ImagesIndex, e);
        }
    }

    /// <summary>Call under the store lock.</summary>
    public static void WriteIndex(BentoPaths paths, ImageIndexDocument document) =>
        AtomicFile.WriteAllBytes(paths.ImagesIndex, JsonSerializer.SerializeToUtf8Bytes(document, ImageJsonContext.Default.ImageIndexDocument));

    public static string LayerRecordPath(BentoPaths paths, string diffId) => paths.LayerDir(diffId) + ".json";

    public static LayerRecord? ReadLayerRecord(BentoPaths paths, string diffId)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(LayerRecordPath(paths, diffId)), ImageJsonContext.Default.LayerRecord);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void WriteLayerRecord(BentoPaths paths, LayerRecord record) =>
        AtomicFile.WriteAllBytes(LayerRecordPath(paths, record.DiffId!), JsonSerializer.SerializeToUtf8Bytes(record, ImageJsonContext.Default.LayerRecord));

    /// <summary>Writes a content-addressed blob unless it is there already (same digest, same bytes).</summary>
    public static bool WriteBlobIfMissing(BentoPaths paths, string digest, byte[] content)
    {
        var path = paths.BlobPath(digest);
        if (File.Exists(path))
            return false;
        AtomicFile.WriteAllBytes(path, content);
        return true;
    }
}
