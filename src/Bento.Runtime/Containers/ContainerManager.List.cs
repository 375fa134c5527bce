using Bento.Runtime.Errors;

namespace Bento.Runtime.Containers;

public sealed partial class ContainerManager
{
    /// <summary>Every container, newest first (like `docker ps -a`).</summary>
    public IReadOnlyList<BentoContainer> List() =>
        Directories().Select(d => Load(new ContainerFiles(d))).OfType<BentoContainer>()
            .OrderByDescending(c => c.Created).ToList();

    /// <summary>By name, full id, or unambiguous id prefix.</summary>
    public BentoContainer? Find(string nameOrId)
    {
        if (string.IsNullOrEmpty(nameOrId))
            return null;
        // The common cases first, without reading every container: a full id names its directory.
        if (nameOrId.Length == 64 && IsHex(nameOrId) && Load(FilesOf(nameOrId)) is { } byId)
            return byId;

        var records = Records().ToList();
        var named = records.FirstOrDefault(r => r.Record.Name == nameOrId);
        if (named.Record is not null)
            return Load(named.Files);
        if (!IsHex(nameOrId))
            return null;
        var matches = records.Where(r => r.Record.Id.StartsWith(nameOrId, StringComparison.Ordinal)).ToList();
        if (matches.Count > 1)
            throw BentoErrors.InvalidArgument(nameOrId,
                $"The id prefix '{nameOrId}' matches {matches.Count} containers ({string.Join(", ", matches.Select(m => m.Record.Name))}); give more of the id.");
        return matches.Count == 1 ? Load(matches[0].Files) : null;
    }

    /// <summary>Layer digests that existing containers mount, so image removal never frees them.</summary>
    public IReadOnlySet<string> LayersInUse() => Records().SelectMany(r => r.Record.Layers).ToHashSet(StringComparer.Ordinal);

    /// <summary>Containers created from the image with this id.</summary>
    public IReadOnlyList<BentoContainer> UsingImage(string imageId) =>
        Records().Where(r => r.Record.ImageId == imageId).Select(r => Load(r.Files)).OfType<BentoContainer>().ToList();

    private IEnumerable<string> Directories() =>
        Directory.Exists(Paths.Containers) ? Directory.EnumerateDirectories(Paths.Containers) : [];

    /// <summary>container.json of every container: cheap (no liveness checks), for names and image use.</summary>
    private IEnumerable<(ContainerFiles Files, ContainerRecord Record)> Records()
    {
        foreach (var directory in Directories())
        {
            var files = new ContainerFiles(directory);
            ContainerRecord record;
            try
            {
                record = files.ReadRecord();
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or System.Text.Json.JsonException)
            {
                continue; // being removed, or not a container
            }
            yield return (files, record);
        }
    }

    private static bool IsHex(string text) => text.All(char.IsAsciiHexDigitLower);
}
