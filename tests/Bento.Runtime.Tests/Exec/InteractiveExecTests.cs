using System.Text.Json;
using Bento.Runtime.Containers;
using Bento.Runtime.Errors;
using Bento.Runtime.Tests.Containers;

namespace Bento.Runtime.Tests.Exec;

/// <summary>
/// `bento-shim exec` (what Enter-BentoContainer runs through <see cref="ContainerManager.RunInteractive"/>) in a real
/// terminal: a tmux pane runs a host shell script that records `stty -a`, runs the helper, and records it again.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed class InteractiveExecTests(ContainerFixture fixture) : IDisposable
{
    private readonly List<string> _created = [];
    private readonly string _work = Directory.CreateTempSubdirectory("bento-tty-").FullName;

    private BentoContainer StartSleeper()
    {
        var container = fixture.Create(new ContainerCreateOptions { Image = BusyboxImage.Name, Command = ["sleep", "300"] });
        _created.Add(container.Id);
        return fixture.Containers.Start(container.Id);
    }

    /// <summary>A host script for the pane: settings before, the interactive exec, its exit code, settings after.</summary>
    private string Script(BentoContainer container, params string[] command)
    {
        var directory = fixture.Runtime.Paths.ContainerDir(container.Id);
        var files = new ContainerFiles(directory);
        var spec = ExecSpecBuilder.Build(files.ReadSpec(), new ExecOptions { Command = command }, terminal: true, "xterm");
        var specFile = Path.Combine(_work, "spec.json");
        File.WriteAllText(specFile, JsonSerializer.Serialize(spec, ContainerJsonContext.Default.RuntimeSpec));
        var script = Path.Combine(_work, "session.sh");
        File.WriteAllText(script, $"""
            stty -a > '{_work}/before'
            BENTO_EXEC_SPEC="$(cat '{specFile}')" '{ShimBuild.ShimPath}' exec '{directory}'
            echo "exit=$?"
            stty -a > '{_work}/after'
            sleep 600
            """);
        return "sh " + script;
    }

    [Fact]
    public void ShellSeesThePaneSizeFollowsResizesAndRestoresTheTerminal()
    {
        var container = StartSleeper();
        using var tmux = new Tmux(Script(container, "/bin/sh"), 100, 30);
        tmux.WaitFor(s => s.Contains("/ #"), "the container's shell prompt");

        tmux.Type("stty size");
        tmux.WaitFor(s => s.Contains("30 100"), "stty size to print the pane's size");

        tmux.Resize(120, 40);
        Thread.Sleep(500); // SIGWINCH reaches the helper through .NET's signal thread; a person types slower than this
        tmux.Type("stty size");
        tmux.WaitFor(s => s.Contains("40 120"), "stty size to print the new size");

        tmux.Type("hostname; tty");
        tmux.WaitFor(s => s.Contains(container.Name) && s.Contains("/dev/pts/"), "the container's hostname and its own PTY");

        tmux.Type("exit 7");
        tmux.WaitFor(s => s.Contains("exit=7"), "the exit code back on the host");
        var after = Path.Combine(_work, "after");
        SpinWait.SpinUntil(() => File.Exists(after) && new FileInfo(after).Length > 0, TimeSpan.FromSeconds(10));
        // Every setting as it was; only the size differs, because the test resized the pane.
        static string Settings(string path) =>
            System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), @"rows \d+; columns \d+;", "");
        Assert.Equal(Settings(Path.Combine(_work, "before")), Settings(after));
        Assert.Contains("rows 40; columns 120;", File.ReadAllText(after));
    }

    [Fact]
    public void ControlKeysGoToTheContainersShell()
    {
        var container = StartSleeper();
        using var tmux = new Tmux(Script(container, "/bin/sh"), 100, 30);
        tmux.WaitFor(s => s.Contains("/ #"), "the container's shell prompt");

        tmux.Type("sleep 100");
        Thread.Sleep(300);
        tmux.SendKeys("C-c");
        tmux.Type("echo still-$((20+22))");
        tmux.WaitFor(s => s.Contains("still-42"), "the shell to survive Ctrl+C and answer");

        tmux.SendKeys("C-d");
        tmux.WaitFor(s => s.Contains("exit=0"), "Ctrl+D to end the shell");
        Assert.Equal(ContainerState.Running, fixture.Containers.Get(container.Id).State);
    }

    [Fact]
    public void RunInteractiveReportsErrorsAsBentoExceptions()
    {
        var container = StartSleeper();
        var missing = Assert.Throws<BentoException>(() => fixture.Containers.RunInteractive(container.Name, new ExecOptions { Command = ["no-such-shell"] }));
        Assert.Equal("CommandNotFound", missing.ErrorId);
        var unknown = Assert.Throws<BentoException>(() => fixture.Containers.RunInteractive("no-such-container", new ExecOptions { Command = ["sh"] }));
        Assert.Equal("ContainerNotFound", unknown.ErrorId);
    }

    public void Dispose()
    {
        foreach (var id in _created)
        {
            try { fixture.Containers.Remove(id, force: true); } catch (BentoException) { }
        }
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }
}
