using Bento.Runtime.Containers;
using Bento.Runtime.Images;
using Bento.Runtime.Storage;

namespace Bento.Runtime;

/// <summary>One store: its images and its containers.</summary>
public sealed class BentoRuntime
{
    public BentoRuntime(BentoPaths paths)
    {
        Paths = paths;
        Images = new ImageStore(paths);
        Containers = new ContainerManager(paths, Images);
    }

    public static BentoRuntime OpenDefault() => new(BentoPaths.Default());

    public BentoPaths Paths { get; }
    public ImageStore Images { get; }
    public ContainerManager Containers { get; }

    /// <summary>Removes an image; refuses with ImageInUse when containers use it unless <paramref name="force"/>.</summary>
    public void RemoveImage(BentoImage image, bool force)
    {
        var users = Containers.UsingImage(image.Id);
        if (users.Count > 0 && !force)
            throw Errors.BentoErrors.ImageInUse(image.Name, users.Select(c => c.Name));
        Images.Remove(image, Containers.LayersInUse());
    }
}
