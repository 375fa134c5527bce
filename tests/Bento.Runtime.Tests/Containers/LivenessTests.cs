using Bento.Runtime.Containers;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Tests.Containers;

/// <summary>A state file never reports a stale Running: not after its monitor died, not for a recycled pid, not
/// after a reboot; and nothing is left behind by Remove.</summary>
[Collection(ContainerCollection.Name)]
public sealed class LivenessTests(ContainerFixture fixture)
{
    private ContainerManager Containers => fixture.Containers;

    private ContainerFiles FilesOf(BentoContainer c) => new(fixture.Runtime.Paths.ContainerDir(c.Id));

    [Fact]
    public void KillingTheMonitorLeavesTheContainerExitedAndItsProcessGone()
    {
        var container = fixture.Create("sleep", "100");
        var running = Containers.Start(container.Id);
        var state = FilesOf(container).ReadState();
        Assert.True(state.MonitorPid > 0);
        Assert.Equal(0, Libc.kill(state.MonitorPid, Libc.SIGKILL));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        BentoContainer now;
        while ((now = Containers.Get(container.Id)).State == ContainerState.Running)
        {
            Assert.True(DateTime.UtcNow < deadline, "still Running 10 s after its monitor was killed");
            Thread.Sleep(10);
        }
        Assert.Equal(ContainerState.Exited, now.State);
        Assert.Equal(ContainerLiveness.ExitCodeMonitorLost, now.ExitCode);
        Assert.Equal("monitor-lost", FilesOf(container).ReadState().ExitReason);
        WaitUntilGone(new ProcessIdentity(running.Pid, state.PidStartTime));
        Containers.Remove(container.Id, force: false);
    }

    [Fact]
    public void ARecycledPidIsNotMistakenForTheContainer()
    {
        var container = fixture.Create("true");
        var self = ProcessIdentity.Self();
        // Pretend the container ran as this very test process, recorded with another start time.
        FilesOf(container).WriteState(new ContainerStateRecord
        {
            Status = ContainerState.Running,
            Pid = self.Pid,
            PidStartTime = self.StartTime - 1,
            MonitorPid = self.Pid,
            MonitorStartTime = self.StartTime - 1,
            BootId = ProcessIdentity.BootId(),
            StartedAt = DateTimeOffset.UtcNow,
        });
        var read = Containers.Get(container.Id);
        Assert.Equal(ContainerState.Exited, read.State);
        Assert.Equal(0, read.Pid);
        Assert.True(self.IsAlive); // and of course it did not kill us
        Containers.Remove(container.Id, force: false);
    }

    [Fact]
    public void AStateFromAnotherBootReadsExitedWithUnknownCode()
    {
        var container = fixture.Create("true");
        var self = ProcessIdentity.Self();
        FilesOf(container).WriteState(new ContainerStateRecord
        {
            Status = ContainerState.Running,
            Pid = self.Pid,
            PidStartTime = self.StartTime,
            MonitorPid = self.Pid,
            MonitorStartTime = self.StartTime,
            BootId = Guid.NewGuid().ToString(),
        });
        var read = Containers.Get(container.Id);
        Assert.Equal(ContainerState.Exited, read.State);
        Assert.Equal(ContainerLiveness.ExitCodeHostRebooted, read.ExitCode);
        Assert.True(self.IsAlive);
        Containers.Remove(container.Id, force: false);
    }

    [Fact]
    public void RemoveLeavesNoMountProcessOrFileBehind()
    {
        var container = fixture.Create("sleep", "100");
        var running = Containers.Start(container.Id);
        var state = FilesOf(container).ReadState();
        var directory = fixture.Runtime.Paths.ContainerDir(container.Id);

        Containers.Remove(container.Id, force: true);

        Assert.False(Directory.Exists(directory));
        Assert.DoesNotContain(container.Id, File.ReadAllText("/proc/self/mountinfo"));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(fixture.Runtime.Paths.Temp), e => e.Contains(container.Id));
        WaitUntilGone(new ProcessIdentity(running.Pid, state.PidStartTime));
        WaitUntilGone(new ProcessIdentity(state.MonitorPid, state.MonitorStartTime));
        Assert.DoesNotContain(Directory.EnumerateDirectories("/proc").Select(Path.GetFileName),
            pid => int.TryParse(pid, out var n) && File.Exists($"/proc/{n}/cmdline") && SafeRead($"/proc/{n}/cmdline").Contains(container.Id));
    }

    [Fact]
    public void AContainerOutlivesTheProcessThatStartedIt()
    {
        // The monitor runs in its own session: it is not in the starter's process group.
        var container = fixture.Create("sleep", "100");
        Containers.Start(container.Id);
        var state = FilesOf(container).ReadState();
        var monitorStat = File.ReadAllText($"/proc/{state.MonitorPid}/stat");
        var fields = monitorStat[(monitorStat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(state.MonitorPid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[3]); // session id = its own pid
        Assert.All(Directory.GetFileSystemEntries($"/proc/{state.MonitorPid}/fd"), fd =>
        {
            var target = new FileInfo(fd).LinkTarget ?? "";
            Assert.DoesNotContain("/dev/pts", target);
        });
        Containers.Remove(container.Id, force: true);
    }

    private static string SafeRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    private static void WaitUntilGone(ProcessIdentity process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (process.IsAlive)
        {
            Assert.True(DateTime.UtcNow < deadline, $"process {process.Pid} is still alive");
            Thread.Sleep(10);
        }
    }
}
