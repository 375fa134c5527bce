using System.Diagnostics;
using Bento.Runtime.Containers;
using Bento.Runtime.Errors;

namespace Bento.Runtime.Tests.Containers;

[Collection(ContainerCollection.Name)]
public sealed class LifecycleTests(ContainerFixture fixture)
{
    private ContainerManager Containers => fixture.Containers;

    [Fact]
    public void RunsCommandAndRecordsExitCodeAndOutput()
    {
        var container = fixture.Run("sh", "-c", "echo out1; echo err1 >&2; echo out2; exit 42");

        Assert.Equal(ContainerState.Exited, container.State);
        Assert.Equal(42, container.ExitCode);
        Assert.NotNull(container.StartedAt);
        Assert.NotNull(container.FinishedAt);
        Assert.Equal(0, container.Pid);
        Assert.Equal("out1\nout2", fixture.Output(container));
        Assert.Equal("err1", fixture.Output(container, "stderr"));
        Assert.StartsWith("Exited (42)", container.Status);
        Containers.Remove(container.Id, force: false);
    }

    [Fact]
    public void CreateMakesACreatedContainerWithAGeneratedNameAsHostname()
    {
        var container = fixture.Create("hostname");
        Assert.Equal(ContainerState.Created, container.State);
        Assert.Matches("^[a-z]+_[a-z]+$", container.Name);
        Assert.Equal(container.Name, container.Hostname);
        Assert.Matches("^[0-9a-f]{64}$", container.Id);
        Assert.Equal(BusyboxImage.Name, container.Image);
        Assert.Equal(fixture.Image.Id, container.ImageId);
        Assert.Equal("hostname", container.Command);
        Assert.Null(container.ExitCode);
        Assert.True(File.Exists(Path.Combine(fixture.Runtime.Paths.ContainerDir(container.Id), "config.json")));

        Containers.Start(container.Id);
        var done = Containers.Wait(container.Id, TimeSpan.FromSeconds(30), CancellationToken.None)!;
        Assert.Equal(container.Name, fixture.Output(done));
        Containers.Remove(container.Id, force: false);
    }

    [Fact]
    public void NamesAreUniqueAndChecked()
    {
        var first = fixture.Create(new ContainerCreateOptions { Name = "twin", Image = BusyboxImage.Name, Command = ["true"] });
        var taken = Assert.Throws<BentoException>(() => fixture.Create(new ContainerCreateOptions { Name = "twin", Image = BusyboxImage.Name, Command = ["true"] }));
        Assert.Equal("ContainerNameInUse", taken.ErrorId);
        var invalid = Assert.Throws<BentoException>(() => fixture.Create(new ContainerCreateOptions { Name = "-bad", Image = BusyboxImage.Name }));
        Assert.Equal("InvalidArgument", invalid.ErrorId);
        Assert.Single(Containers.List(), c => c.Name == "twin");
        Containers.Remove(first.Id, force: false);
    }

    [Fact]
    public void FindsByNameIdAndUniquePrefix()
    {
        var container = fixture.Create(new ContainerCreateOptions { Name = "findme", Image = BusyboxImage.Name, Command = ["true"] });
        Assert.Equal(container.Id, Containers.Find("findme")!.Id);
        Assert.Equal(container.Id, Containers.Find(container.Id)!.Id);
        Assert.Equal(container.Id, Containers.Find(container.Id[..12])!.Id);
        Assert.Null(Containers.Find("no-such-container"));
        Assert.Equal("ContainerNotFound", Assert.Throws<BentoException>(() => Containers.Get("no-such-container")).ErrorId);
        Assert.Contains(fixture.Image.Layers[0], Containers.LayersInUse());
        Assert.Contains(Containers.UsingImage(fixture.Image.Id), c => c.Id == container.Id);
        Containers.Remove(container.Id, force: false);
        Assert.Null(Containers.Find(container.Id));
    }

    [Fact]
    public void StartOfARunningContainerAndRemoveWithoutForceAreRefused()
    {
        var container = fixture.Create("sleep", "100");
        var running = Containers.Start(container.Id);
        Assert.Equal(ContainerState.Running, running.State);
        Assert.True(running.Pid > 0);
        Assert.StartsWith("Up ", running.Status);

        Assert.Equal("InvalidContainerState", Assert.Throws<BentoException>(() => Containers.Start(container.Id)).ErrorId);
        Assert.Equal("InvalidContainerState", Assert.Throws<BentoException>(() => Containers.Remove(container.Id, force: false)).ErrorId);

        Containers.Remove(container.Id, force: true);
        Assert.Null(Containers.Find(container.Id));
    }

    [Fact]
    public void AMissingCommandIsCommandNotFoundAndTheContainerStaysCreated()
    {
        foreach (var command in new[] { "/no/such/program", "no-such-program" })
        {
            var container = fixture.Create(command);
            var e = Assert.Throws<BentoException>(() => Containers.Start(container.Id));
            Assert.Equal("CommandNotFound", e.ErrorId);
            Assert.Contains(command, e.Message);
            Assert.Equal(ContainerState.Created, Containers.Get(container.Id).State);
            Containers.Remove(container.Id, force: false);
        }
    }

    [Fact]
    public void StopSendsTermAndAHandlerEndsTheContainerGracefully()
    {
        var container = fixture.Create("sh", "-c", "trap 'exit 3' TERM; echo ready; while true; do sleep 0.1; done");
        Containers.Start(container.Id);
        WaitForOutput(container, "ready");

        var clock = Stopwatch.StartNew();
        var stopped = Containers.Stop(container.Id, TimeSpan.FromSeconds(10), force: false);
        Assert.Equal(ContainerState.Exited, stopped.State);
        Assert.Equal(3, stopped.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Containers.Remove(container.Id, force: false);
    }

    [Fact]
    public void AProcessIgnoringTermIsKilledAfterTheTimeout()
    {
        var container = fixture.Create("sh", "-c", "trap '' TERM; echo ready; sleep 100");
        Containers.Start(container.Id);
        WaitForOutput(container, "ready");

        var clock = Stopwatch.StartNew();
        var stopped = Containers.Stop(container.Id, TimeSpan.FromSeconds(1), force: false);
        Assert.Equal(137, stopped.ExitCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Containers.Remove(container.Id, force: false);
    }

    [Fact]
    public void ForceKillsAtOnceAndStopOfAStoppedContainerIsANoOp()
    {
        var container = fixture.Create("sh", "-c", "trap '' TERM; sleep 100");
        Containers.Start(container.Id);

        var clock = Stopwatch.StartNew();
        var stopped = Containers.Stop(container.Id, TimeSpan.FromSeconds(30), force: true);
        Assert.Equal(137, stopped.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");

        var again = Containers.Stop(container.Id, TimeSpan.FromSeconds(30), force: false);
        Assert.Equal(stopped.FinishedAt, again.FinishedAt);
        Containers.Remove(container.Id, force: false);
    }

    [Fact]
    public void WaitTimesOutWithNullAndHonoursCancellation()
    {
        var container = fixture.Create("sleep", "100");
        Containers.Start(container.Id);
        Assert.Null(Containers.Wait(container.Id, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.ThrowsAny<OperationCanceledException>(() => Containers.Wait(container.Id, null, cancel.Token));
        Containers.Remove(container.Id, force: true);
    }

    [Fact]
    public void LogsTailAndFollowUntilExit()
    {
        var container = fixture.Create("sh", "-c", "for i in 1 2 3 4; do echo line$i; sleep 0.2; done");
        Containers.Start(container.Id);
        var followed = Containers.ReadLog(container.Id, tail: null, follow: true, CancellationToken.None).Select(e => e.Line).ToList();
        Assert.Equal(["line1", "line2", "line3", "line4"], followed);
        Assert.Equal(ContainerState.Exited, Containers.Get(container.Id).State);

        var tail = Containers.ReadLog(container.Id, tail: 2, follow: false, CancellationToken.None).ToList();
        Assert.Equal(["line3", "line4"], tail.Select(e => e.Line));
        Assert.All(tail, e => Assert.Equal("stdout", e.Stream));
        Assert.True(tail[0].Time <= tail[1].Time);
        Containers.Remove(container.Id, force: false);
    }

    [Fact]
    public void FollowingEndsQuietlyOnCancellation()
    {
        var container = fixture.Create("sh", "-c", "echo hi; sleep 100");
        Containers.Start(container.Id);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var lines = Containers.ReadLog(container.Id, null, follow: true, cancel.Token).Select(e => e.Line).ToList();
        Assert.Equal(["hi"], lines);
        Containers.Remove(container.Id, force: true);
    }

    [Fact]
    public void ARestartKeepsTheContainersWritesAndAppendsToItsLog()
    {
        var container = fixture.Create("sh", "-c", "echo start; cat /data.txt 2>/dev/null; echo run >> /data.txt");
        Containers.Start(container.Id);
        Containers.Wait(container.Id, TimeSpan.FromSeconds(30), CancellationToken.None);
        Containers.Start(container.Id);
        var second = Containers.Wait(container.Id, TimeSpan.FromSeconds(30), CancellationToken.None)!;
        Assert.Equal(0, second.ExitCode);
        Assert.Equal("start\nstart\nrun", fixture.Output(second));
        Containers.Remove(container.Id, force: false);
    }

    private void WaitForOutput(BentoContainer container, string line)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!Containers.ReadLog(container.Id, null, false, CancellationToken.None).Any(e => e.Line == line))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{line}' never appeared in the log");
            Thread.Sleep(20);
        }
    }
}
