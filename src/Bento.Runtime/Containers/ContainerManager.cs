using Bento.Runtime.Images;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Containers;

/// <summary>Creates, starts, stops, lists and removes containers in one store.</summary>
public sealed partial class ContainerManager
{
    public ContainerManager(BentoPaths paths, ImageStore images)
    {
        Paths = paths;
        Images = images;
    }

    public BentoPaths Paths { get; }
    public ImageStore Images { get; }

    public BentoContainer Create(ContainerCreateOptions options) => throw new NotImplementedException();

    public IReadOnlyList<BentoContainer> List() => throw new NotImplementedException();

    /// <summary>By name, full id, or unambiguous id prefix.</summary>
    public BentoContainer? Find(string nameOrId) => throw new NotImplementedException();

    public BentoContainer Get(string nameOrId) => Find(nameOrId) ?? throw Errors.BentoErrors.ContainerNotFound(nameOrId);

    /// <summary>Starts the container detached (a monitor process outlives the caller) and returns once it runs.</summary>
    public BentoContainer Start(string id) => throw new NotImplementedException();

    /// <summary>SIGTERM, then SIGKILL after <paramref name="timeout"/>; <paramref name="force"/> sends SIGKILL at once.</summary>
    public BentoContainer Stop(string id, TimeSpan timeout, bool force) => throw new NotImplementedException();

    public void Remove(string id, bool force) => throw new NotImplementedException();

    /// <summary>Blocks until the container is not running; null if the timeout passed first.</summary>
    public BentoContainer? Wait(string id, TimeSpan? timeout, CancellationToken cancellationToken) => throw new NotImplementedException();

    public IEnumerable<LogEntry> ReadLog(string id, int? tail, bool follow, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Layer digests that existing containers mount, so image removal never frees them.</summary>
    public IReadOnlySet<string> LayersInUse() => throw new NotImplementedException();

    /// <summary>Containers created from the image with this id.</summary>
    public IReadOnlyList<BentoContainer> UsingImage(string imageId) => throw new NotImplementedException();
}
