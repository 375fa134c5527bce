using System.Security.Cryptography;
using Bento.Runtime.Containers;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Tests.Containers;

/// <summary>One store for the container tests, with the busybox image, and the monitor built.
/// The store lives under /tmp with world-traversable directories, so the rootless test's user can reach it.</summary>
public sealed class ContainerFixture : IDisposable
{
    public ContainerFixture()
    {
        _ = ShimBuild.ShimPath;
        Root = Path.Combine(Path.GetTempPath(), "bento-tests-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(Root);
        File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
        Runtime = new BentoRuntime(new BentoPaths(Root));
        Runtime.Paths.EnsureCreated();
        foreach (var directory in new[] { Path.Combine(Root, "layers"), Runtime.Paths.Layers, Runtime.Paths.Containers, Runtime.Paths.Temp })
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        (Image, LowerDirs) = MakeImage();
    }

    public string Root { get; }
    public BentoRuntime Runtime { get; }
    public ContainerManager Containers => Runtime.Containers;
    public BentoImage Image { get; }
    public IReadOnlyList<string> LowerDirs { get; }
    public BentoContainer Create(ContainerCreateOptions options) => Containers.Create(options);

    public BentoContainer Create(params string[] command) => Create(new ContainerCreateOptions { Image = BusyboxImage.Name, Command = command });

    public BentoContainer Run(params string[] command)
    {
        var container = Create(command);
        Containers.Start(container.Id);
        return Containers.Wait(container.Id, TimeSpan.FromSeconds(30), CancellationToken.None)
            ?? throw new TimeoutException($"{string.Join(' ', command)} still runs after 30 s.");
    }

    public string Output(BentoContainer container, string stream = "stdout") =>
        string.Join('\n', Containers.ReadLog(container.Id, null, false, CancellationToken.None).Where(e => e.Stream == stream).Select(e => e.Line));

    private (BentoImage, IReadOnlyList<string>) MakeImage()
    {
        var staging = Path.Combine(Root, "busybox-rootfs");
        BusyboxImage.StageRootFs(staging);
        var image = Runtime.Images.CreateFromDirectory(BusyboxImage.Name, staging, BusyboxImage.Options);
        Directory.Delete(staging, recursive: true);
        return (image, Runtime.Images.LayerDirectories(image));
    }

    public void Dispose()
    {
        foreach (var container in SafeList())
        {
            try { Containers.Remove(container.Id, force: true); } catch (Exception) { }
        }
        try { ContainerDirectories.Delete(Root); } catch (Exception) { }
    }

    private IReadOnlyList<BentoContainer> SafeList()
    {
        try { return Containers.List(); } catch (Exception) { return []; }
    }
}

[CollectionDefinition(Name)]
public sealed class ContainerCollection : ICollectionFixture<ContainerFixture>
{
    public const string Name = "Containers";
}
