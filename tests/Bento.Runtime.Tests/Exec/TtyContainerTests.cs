using Bento.Runtime.Containers;
using Bento.Runtime.Errors;
using Bento.Runtime.Tests.Containers;

namespace Bento.Runtime.Tests.Exec;

/// <summary>-Tty containers: the main process on a PTY of the container's, kept by the monitor; `bento-shim attach`
/// (what <see cref="ContainerManager.Attach"/> runs) connects a real terminal (tmux) to it and detaches on Ctrl+P Ctrl+Q.</summary>
[Collection(ContainerCollection.Name)]
public sealed class TtyContainerTests(ContainerFixture fixture) : IDisposable
{
    private readonly List<string> _created = [];

    private BentoContainer StartShell()
    {
        var container = fixture.Create(new ContainerCreateOptions { Image = BusyboxImage.Name, Command = ["/bin/sh"], Tty = true });
        _created.Add(container.Id);
        return fixture.Containers.Start(container.Id);
    }

    [Fact]
    public void AttachedShellAnswersKeystrokesDetachesAndReattaches()
    {
        var container = StartShell();
        var directory = fixture.Runtime.Paths.ContainerDir(container.Id);
        var shim = ShimBuild.ShimPath;
        var script = Path.Combine(fixture.Root, $"attach-{container.Id[..8]}.sh");
        File.WriteAllText(script, $"""
            '{shim}' attach '{directory}' 2>/dev/null; echo "first=$?"
            '{shim}' attach '{directory}' 2>/dev/null; echo "second=$?"
            sleep 600
            """);
        using var tmux = new Tmux("sh " + script, 100, 30);
        tmux.WaitFor(s => s.Contains("/ #"), "the container's shell prompt, replayed on attach");

        tmux.Type("echo hi-$((40+2)); stty size; tty");
        tmux.WaitFor(s => s.Contains("hi-42") && s.Contains("30 100") && s.Contains("/dev/pts/0"), "the shell to answer on its own PTY at the pane's size");

        tmux.SendKeys("C-p", "C-q");
        tmux.WaitFor(s => s.Contains("first=0"), "Ctrl+P Ctrl+Q to detach");
        Assert.Equal(ContainerState.Running, fixture.Containers.Get(container.Id).State);

        tmux.Type("exit 3");
        tmux.WaitFor(s => s.Contains("second=3"), "the second attach to end with the container's exit code");
        var exited = fixture.Containers.Get(container.Id);
        Assert.Equal(ContainerState.Exited, exited.State);
        Assert.Equal(3, exited.ExitCode);
        Assert.Contains("hi-42", fixture.Output(exited));
    }

    [Fact]
    public void AttachRefusesContainersWithoutATerminal()
    {
        var container = fixture.Create(new ContainerCreateOptions { Image = BusyboxImage.Name, Command = ["sleep", "300"] });
        _created.Add(container.Id);
        fixture.Containers.Start(container.Id);
        var error = Assert.Throws<BentoException>(() => fixture.Containers.Attach(container.Name));
        Assert.Equal("InvalidContainerState", error.ErrorId);
    }

    [Fact]
    public void ATtyContainerWithoutClientRunsAndLogs()
    {
        var container = fixture.Create(new ContainerCreateOptions { Image = BusyboxImage.Name, Command = ["sh", "-c", "tty; echo done"], Tty = true });
        _created.Add(container.Id);
        fixture.Containers.Start(container.Id);
        var exited = fixture.Containers.Wait(container.Id, TimeSpan.FromSeconds(30), CancellationToken.None)!;
        Assert.Equal(0, exited.ExitCode);
        Assert.Equal("/dev/pts/0\ndone", fixture.Output(exited));
    }

    public void Dispose()
    {
        foreach (var id in _created)
        {
            try { fixture.Containers.Remove(id, force: true); } catch (BentoException) { }
        }
    }
}
