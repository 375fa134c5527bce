using Bento.Runtime.Containers;

namespace Bento.Runtime.Tests.Containers;

/// <summary>What the container's process sees: its own namespaces, root, /dev, /proc, identity and limits.</summary>
[Collection(ContainerCollection.Name)]
public sealed class IsolationTests(ContainerFixture fixture)
{
    private string RunAndRead(ContainerCreateOptions options)
    {
        var container = fixture.Create(options);
        fixture.Containers.Start(container.Id);
        var done = fixture.Containers.Wait(container.Id, TimeSpan.FromSeconds(30), CancellationToken.None)!;
        var output = fixture.Output(done);
        Assert.True(done.ExitCode == 0, $"exit {done.ExitCode}: {output} {fixture.Output(done, "stderr")}");
        fixture.Containers.Remove(container.Id, force: false);
        return output;
    }

    private string RunAndRead(params string[] command) => RunAndRead(new ContainerCreateOptions { Image = BusyboxImage.Name, Command = command });

    private static Dictionary<string, string> Pairs(string output) =>
        output.Split('\n').Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

    private static string HostNamespace(string name) => new FileInfo($"/proc/self/ns/{name}").LinkTarget!;

    [Fact]
    public void EveryNamespaceIsNewButUserForRoot()
    {
        var inside = Pairs(RunAndRead("sh", "-c", "for n in pid mnt uts ipc net cgroup user; do echo $n=$(readlink /proc/self/ns/$n); done"));
        foreach (var name in new[] { "pid", "mnt", "uts", "ipc", "net", "cgroup" })
        {
            Assert.StartsWith(name + ":[", inside[name]);
            Assert.NotEqual(HostNamespace(name), inside[name]);
        }
        Assert.Equal(HostNamespace("user"), inside["user"]);
    }

    [Fact]
    public void HostNetworkSharesTheHostsNetworkNamespace()
    {
        var inside = RunAndRead(new ContainerCreateOptions { Image = BusyboxImage.Name, Network = "host", Command = ["readlink", "/proc/self/ns/net"] });
        Assert.Equal(HostNamespace("net"), inside);
    }

    [Fact]
    public void TheCommandIsPid1AndSeesOnlyItsOwnProcesses()
    {
        var output = RunAndRead("sh", "-c", "echo self=$$; ps -o pid,comm | tail -n +2 | wc -l; true");
        var lines = output.Split('\n');
        Assert.Equal("self=1", lines[0]);
        // sh itself, ps, and the pipeline's tail and wc
        Assert.InRange(int.Parse(lines[1].Trim(), System.Globalization.CultureInfo.InvariantCulture), 2, 4);
    }

    [Fact]
    public void HostnameAndLoopbackAreTheContainers()
    {
        var output = RunAndRead(new ContainerCreateOptions
        {
            Image = BusyboxImage.Name, Name = "iso-host", Hostname = "custom-host",
            Command = ["sh", "-c", "hostname; cat /sys/class/net/lo/flags; ls /sys/class/net"],
        });
        // 0x9 = IFF_UP | IFF_LOOPBACK; lo is the only interface
        Assert.Equal("custom-host\n0x9\nlo", output);
    }

    [Fact]
    public void NoDescriptorOrDirectoryOfTheHostLeaksIn()
    {
        var output = RunAndRead("sh", "-c", "ls /proc/1/fd; readlink /proc/1/cwd; readlink /proc/1/root; true");
        Assert.Equal("0\n1\n2\n/\n/", output);
    }

    [Fact]
    public void SecurityDefaultsApply()
    {
        var status = Pairs(RunAndRead("sh", "-c", "grep -E '^(Cap|NoNewPrivs|SigIgn|SigBlk)' /proc/self/status | tr -d ' \\t' | tr ':' '='"));
        Assert.Equal("00000000a80425fb", status["CapBnd"]); // Docker's 14 capabilities
        Assert.Equal("00000000a80425fb", status["CapEff"]);
        Assert.Equal("0000000000000000", status["CapAmb"]);
        Assert.Equal("1", status["NoNewPrivs"]);
        Assert.Equal("0000000000000000", status["SigIgn"]); // SIGPIPE is back to default
        Assert.Equal("0000000000000000", status["SigBlk"]);

        var probes = RunAndRead("sh", "-c",
            "echo proc_sys=$( (echo x > /proc/sys/kernel/domainname) 2>/dev/null && echo writable || echo readonly); " +
            "echo sys=$(touch /sys/x 2>/dev/null && echo writable || echo readonly); " +
            "echo keys=$(wc -c < /proc/keys); echo firmware=$(ls -A /sys/firmware | wc -l); " +
            "echo nofile=$(ulimit -n); echo devices=$(ls /dev | tr '\\n' ' ')");
        var p = Pairs(probes);
        Assert.Equal("readonly", p["proc_sys"]);
        Assert.Equal("readonly", p["sys"]);
        Assert.Equal("0", p["keys"].Trim());
        Assert.Equal("0", p["firmware"].Trim());
        Assert.Equal("1024", p["nofile"]);
        Assert.Equal("fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero", p["devices"].Trim());
    }

    [Fact]
    public void UserEnvironmentAndWorkingDirectoryComeFromTheParameters()
    {
        var output = Pairs(RunAndRead(new ContainerCreateOptions
        {
            Image = BusyboxImage.Name,
            User = "bento",
            WorkingDirectory = "/work/dir",
            Environment = new Dictionary<string, string> { ["IMAGE_VAR"] = "overridden", ["EXTRA"] = "1" },
            Command = ["sh", "-c", "echo uid=$(id -u); echo groups=$(id -G); echo pwd=$(pwd); echo image=$IMAGE_VAR; echo extra=$EXTRA; echo home=$HOME; grep CapEff /proc/self/status | tr -d '\\t' | tr ':' '='"],
        }));
        Assert.Equal("1000", output["uid"]);
        Assert.Equal("1000 1500", output["groups"]);
        Assert.Equal("/work/dir", output["pwd"]);
        Assert.Equal("overridden", output["image"]);
        Assert.Equal("1", output["extra"]);
        Assert.Equal("/home/bento", output["home"]);
        Assert.Equal("0000000000000000", output["CapEff"]);
    }

    [Fact]
    public void AReadOnlyRootRefusesWritesButDevShmWorks()
    {
        var output = RunAndRead(new ContainerCreateOptions
        {
            Image = BusyboxImage.Name,
            ReadOnly = true,
            Command = ["sh", "-c", "touch /x 2>/dev/null && echo root-writable || echo root-readonly; touch /dev/shm/x && echo shm-writable"],
        });
        Assert.Equal("root-readonly\nshm-writable", output);
    }

    [Fact]
    public void BindMountsShowHostDirectoriesReadOnlyWhenAsked()
    {
        var host = Directory.CreateTempSubdirectory("bento-bind-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(host, "file.txt"), "from host");
            var output = RunAndRead(new ContainerCreateOptions
            {
                Image = BusyboxImage.Name,
                Mounts = [new BindMount(host, "/data", ReadOnly: true)],
                Command = ["sh", "-c", "cat /data/file.txt; echo; touch /data/new 2>/dev/null && echo writable || echo readonly"],
            });
            Assert.Equal("from host\nreadonly", output);
            Assert.False(File.Exists(Path.Combine(host, "new")));
        }
        finally
        {
            Directory.Delete(host, recursive: true);
        }
    }
}
