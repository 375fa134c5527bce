using Bento.Runtime.Containers;

namespace Bento.Runtime.Tests.Containers;

/// <summary>Copy-on-write: a container's writes land in its own upper dir; the shared layer never changes.</summary>
[Collection(ContainerCollection.Name)]
public sealed class OverlayTests(ContainerFixture fixture)
{
    private ContainerManager Containers => fixture.Containers;

    [Fact]
    public void WritesGoToTheUpperDirOnlyAndStayPrivateToTheContainer()
    {
        var layer = fixture.LowerDirs[0];
        var passwdBefore = File.ReadAllText(Path.Combine(layer, "etc", "passwd"));

        var writer = fixture.Run("sh", "-c", "echo hello > /etc/newfile; echo extra:x:7:7::/:/bin/sh >> /etc/passwd; rm /bin/vi");
        Assert.Equal(0, writer.ExitCode);
        var upper = Path.Combine(fixture.Runtime.Paths.ContainerDir(writer.Id), "upper");
        Assert.Equal("hello\n", File.ReadAllText(Path.Combine(upper, "etc", "newfile")));
        Assert.Contains("extra:x:7:7", File.ReadAllText(Path.Combine(upper, "etc", "passwd")));
        Assert.False(File.Exists(Path.Combine(layer, "etc", "newfile")));
        Assert.Equal(passwdBefore, File.ReadAllText(Path.Combine(layer, "etc", "passwd")));
        Assert.True(new FileInfo(Path.Combine(layer, "bin", "vi")).LinkTarget is not null, "the layer lost /bin/vi");

        var reader = fixture.Run("sh", "-c", "test -e /etc/newfile && echo seen-file; grep -q extra /etc/passwd && echo seen-passwd; test -e /bin/vi && echo vi-present");
        Assert.Equal("vi-present", fixture.Output(reader));

        Containers.Remove(writer.Id, force: false);
        Containers.Remove(reader.Id, force: false);
        Assert.Equal(passwdBefore, File.ReadAllText(Path.Combine(layer, "etc", "passwd")));
    }

    [Fact]
    public void TheOverlayIsMountedOnlyInsideTheContainer()
    {
        var container = fixture.Create("sleep", "100");
        Containers.Start(container.Id);
        var hostMounts = File.ReadAllText("/proc/self/mountinfo");
        Assert.DoesNotContain(container.Id, hostMounts);
        var insideMounts = File.ReadAllText($"/proc/{Containers.Get(container.Id).Pid}/mountinfo");
        Assert.Contains(" / / ", insideMounts.Split('\n').First(l => l.Contains(" - overlay ")));
        Containers.Remove(container.Id, force: true);
    }
}
