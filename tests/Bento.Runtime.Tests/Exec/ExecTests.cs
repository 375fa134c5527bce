using Bento.Runtime.Containers;
using Bento.Runtime.Errors;
using Bento.Runtime.Tests.Containers;

namespace Bento.Runtime.Tests.Exec;

[Collection(ContainerCollection.Name)]
public sealed class ExecTests(ContainerFixture fixture) : IDisposable
{
    private readonly List<string> _created = [];
    private ContainerManager Containers => fixture.Containers;

    private BentoContainer StartSleeper(ContainerCreateOptions? options = null)
    {
        var container = fixture.Create(options ?? new ContainerCreateOptions { Image = BusyboxImage.Name, Command = ["sleep", "300"] });
        _created.Add(container.Id);
        return Containers.Start(container.Id);
    }

    private (int ExitCode, List<string> Output, List<string> Error) Run(string container, ExecOptions options, IEnumerable<string>? input = null)
    {
        using var process = Containers.StartExec(container, options);
        var writer = Task.Run(() =>
        {
            using var stdin = new StreamWriter(process.StandardInput) { NewLine = "\n" };
            foreach (var line in input ?? [])
                stdin.WriteLine(line);
        });
        var output = new List<string>();
        var error = new List<string>();
        foreach (var line in process.ReadOutput())
            (line.IsError ? error : output).Add(line.Line);
        writer.Wait();
        return (process.WaitForExit(), output, error);
    }

    private (int ExitCode, List<string> Output, List<string> Error) Run(string container, params string[] command) =>
        Run(container, new ExecOptions { Command = command });

    [Fact]
    public void SeesTheContainersFilesystemHostnameAndEnvironment()
    {
        var container = StartSleeper();
        var (code, output, error) = Run(container.Name, "sh", "-c", "cat /etc/passwd | head -1; hostname; echo $IMAGE_VAR; pwd; ls /");
        Assert.True(code == 0, string.Join('\n', error));
        Assert.Equal("root:x:0:0:root:/root:/bin/sh", output[0]);
        Assert.Equal(container.Name, output[1]);
        Assert.Equal("from-image", output[2]);
        Assert.Equal("/", output[3]);
        Assert.Contains("bin", output.Skip(4));
        Assert.DoesNotContain("usr", output.Skip(4)); // the busybox image has no /usr: this is not the host's root
    }

    [Fact]
    public void RunsInsideTheContainersPidNamespace()
    {
        var container = StartSleeper();
        var (code, output, _) = Run(container.Name, "ps", "-o", "pid,args");
        Assert.Equal(0, code);
        Assert.Contains(output, l => l.Trim().StartsWith("1 ", StringComparison.Ordinal) && l.Contains("sleep 300"));
        Assert.True(output.Count <= 4, string.Join('\n', output)); // header, pid 1, ps itself: no host processes
    }

    [Fact]
    public void JoinsEveryNamespaceOfTheContainer()
    {
        var container = StartSleeper();
        var names = new[] { "user", "mnt", "pid", "uts", "ipc", "net", "cgroup" };
        var script = string.Join("; ", names.Select(n => $"echo $(readlink /proc/1/ns/{n}) $(readlink /proc/self/ns/{n})"));
        var (code, output, error) = Run(container.Name, "sh", "-c", script + "; cat /proc/self/uid_map");
        Assert.True(code == 0, string.Join('\n', error));
        foreach (var line in output.Take(names.Length))
        {
            var pair = line.Split(' ');
            Assert.True(pair[0] == pair[1], $"pid 1 is in {pair[0]}, the exec'd process in {pair[1]}");
        }
        var uidMap = output[names.Length].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(container.Rootless ? ["0", Environment.UserName == "root" ? "0" : uidMap[1], "1"] : ["0", "0", "4294967295"], uidMap);
    }

    [Fact]
    public void ExitCodesComeBackIncludingASignal()
    {
        var container = StartSleeper();
        Assert.Equal(0, Run(container.Name, "true").ExitCode);
        Assert.Equal(1, Run(container.Name, "false").ExitCode);
        Assert.Equal(42, Run(container.Name, "sh", "-c", "exit 42").ExitCode);
        Assert.Equal(128 + 9, Run(container.Name, "sh", "-c", "kill -9 $$").ExitCode);
        Assert.Equal(128 + 15, Run(container.Name, "sh", "-c", "kill -TERM $$").ExitCode);
    }

    [Fact]
    public void StderrIsSeparate()
    {
        var container = StartSleeper();
        var (code, output, error) = Run(container.Name, "sh", "-c", "echo out; echo err >&2; echo out2");
        Assert.Equal(0, code);
        Assert.Equal(["out", "out2"], output);
        Assert.Equal(["err"], error);
    }

    [Fact]
    public void PipesTenThousandLinesThroughStdin()
    {
        var container = StartSleeper();
        var lines = Enumerable.Range(0, 10_000).Select(i => $"line {i:D5}").Reverse().ToList();
        var (code, output, _) = Run(container.Name, new ExecOptions { Command = ["sort"] }, lines);
        Assert.Equal(0, code);
        Assert.Equal(lines.Order(StringComparer.Ordinal), output);
    }

    [Fact]
    public void EnvironmentUserAndWorkingDirectoryApply()
    {
        var container = StartSleeper();
        var options = new ExecOptions
        {
            Command = ["sh", "-c", "echo $EXTRA-$IMAGE_VAR; pwd; id -u; echo $HOME"],
            Environment = new Dictionary<string, string> { ["EXTRA"] = "given", ["IMAGE_VAR"] = "overridden" },
            WorkingDirectory = "/tmp",
        };
        var (code, output, error) = Run(container.Name, options);
        Assert.True(code == 0, string.Join('\n', error));
        Assert.Equal(["given-overridden", "/tmp", "0", "/root"], output);

        if (container.Rootless)
            return; // a rootless container maps only its root user
        var asUser = Run(container.Name, new ExecOptions { Command = ["sh", "-c", "id -u; id -g; echo $HOME"], User = "bento" });
        Assert.Equal(["1000", "1000", "/home/bento"], asUser.Output);
    }

    [Fact]
    public void HasTheContainersCapabilitiesAndNoNewPrivileges()
    {
        var container = StartSleeper();
        var (code, output, _) = Run(container.Name, "sh", "-c", "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status");
        Assert.Equal(0, code);
        // Docker's default set: chown, dac_override, fowner, fsetid, kill, setgid, setuid, setpcap, net_bind_service,
        // net_raw, sys_chroot, mknod, audit_write, setfcap.
        Assert.Contains(output, l => l.StartsWith("CapEff:") && l.EndsWith("00000000a80425fb"));
        Assert.Contains(output, l => l.StartsWith("CapBnd:") && l.EndsWith("00000000a80425fb"));
        Assert.Contains(output, l => l.StartsWith("NoNewPrivs:") && l.EndsWith("1"));
    }

    [Fact]
    public void NoHostDescriptorReachesTheCommand()
    {
        var container = StartSleeper();
        var (code, output, _) = Run(container.Name, "ls", "/proc/self/fd");
        Assert.Equal(0, code);
        Assert.Equal(["0", "1", "2", "3"], output.Order()); // 3 is ls's own directory handle
    }

    [Fact]
    public void UnknownCommandIsCommandNotFound()
    {
        var container = StartSleeper();
        var error = Assert.Throws<BentoException>(() => Containers.StartExec(container.Name, new ExecOptions { Command = ["no-such-command"] }));
        Assert.Equal("CommandNotFound", error.ErrorId);
        Assert.Equal(0, Run(container.Name, "true").ExitCode); // the container is unharmed
    }

    [Fact]
    public void ExitedAndUnknownContainersAreRefused()
    {
        var exited = fixture.Run("true");
        _created.Add(exited.Id);
        var notRunning = Assert.Throws<BentoException>(() => Containers.StartExec(exited.Name, new ExecOptions { Command = ["true"] }));
        Assert.Equal("InvalidContainerState", notRunning.ErrorId);
        var unknown = Assert.Throws<BentoException>(() => Containers.StartExec("no-such-container", new ExecOptions { Command = ["true"] }));
        Assert.Equal("ContainerNotFound", unknown.ErrorId);
    }

    [Fact]
    public void OutputEndsWithTheCommandEvenIfABackgroundChildKeepsItsPipes()
    {
        var container = StartSleeper();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, output, _) = Run(container.Name, "sh", "-c", "sleep 60 & echo started");
        Assert.Equal(0, code);
        Assert.Equal(["started"], output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void KillStopsTheCommandButNotTheContainer()
    {
        var container = StartSleeper();
        using var process = Containers.StartExec(container.Name, new ExecOptions { Command = ["sh", "-c", "echo ready; sleep 300"] });
        Assert.Equal("ready", process.ReadOutput().First().Line);
        process.Kill();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10), out var code));
        Assert.Equal(128 + 9, code);
        Assert.Equal(ContainerState.Running, Containers.Get(container.Id).State);
        var (_, output, _) = Run(container.Name, "ps", "-o", "args");
        Assert.DoesNotContain(output, l => l.Contains("echo ready"));
    }

    public void Dispose()
    {
        foreach (var id in _created)
        {
            try { Containers.Remove(id, force: true); } catch (BentoException) { }
        }
    }
}
