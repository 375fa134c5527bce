using Bento.Runtime.Containers;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Errors;
using Bento.Runtime.Process;

namespace Bento.Runtime.Tests.Containers;

public sealed class SpecBuilderTests
{
    private static readonly BentoImage Image = new()
    {
        Name = "img:1",
        Id = "sha256:" + new string('a', 64),
        Digest = "sha256:" + new string('b', 64),
        Entrypoint = ["/entry"],
        Cmd = ["default", "args"],
        Env = ["PATH=/image/bin", "A=image", "B=image"],
        WorkingDir = "/app",
    };

    private static RuntimeSpec Build(ContainerCreateOptions options, bool userNamespace = false) =>
        SpecBuilder.Build(Image, options, "host1", userNamespace, 1234, 5678);

    private static ContainerCreateOptions Options(string[]? command = null, string[]? entrypoint = null) =>
        new() { Image = Image.Name, Command = command, Entrypoint = entrypoint };

    [Fact]
    public void EntrypointAndCmdCombineLikeDocker()
    {
        Assert.Equal(["/entry", "default", "args"], SpecBuilder.Arguments(Image, Options()));
        Assert.Equal(["/entry", "mine"], SpecBuilder.Arguments(Image, Options(command: ["mine"])));
        // A new entrypoint drops the image's Cmd…
        Assert.Equal(["/other"], SpecBuilder.Arguments(Image, Options(entrypoint: ["/other"])));
        // …unless a command is given too; an empty entrypoint clears it.
        Assert.Equal(["/other", "x"], SpecBuilder.Arguments(Image, Options(command: ["x"], entrypoint: ["/other"])));
        Assert.Equal(["x"], SpecBuilder.Arguments(Image, Options(command: ["x"], entrypoint: [])));
    }

    [Fact]
    public void NoCommandAtAllIsRefused()
    {
        var bare = new BentoImage { Name = "bare:1", Id = Image.Id, Digest = Image.Digest };
        var e = Assert.Throws<BentoException>(() => SpecBuilder.Build(bare, new ContainerCreateOptions { Image = "bare:1" }, "h", false, 0, 0));
        Assert.Equal("InvalidArgument", e.ErrorId);
    }

    [Fact]
    public void EnvironmentMergesImageThenParametersAndDefaultsPath()
    {
        var env = SpecBuilder.Environment(Image, new ContainerCreateOptions
        {
            Image = Image.Name,
            Environment = new Dictionary<string, string> { ["B"] = "param", ["C"] = "param" },
        }, "host1");
        Assert.Equal(["HOSTNAME=host1", "PATH=/image/bin", "A=image", "B=param", "C=param"], env);

        var bare = new BentoImage { Name = "bare:1", Id = Image.Id, Digest = Image.Digest };
        Assert.Contains("PATH=" + CommandLookup.DefaultPath, SpecBuilder.Environment(bare, new ContainerCreateOptions { Image = "bare:1" }, "h"));
    }

    [Fact]
    public void RootSpecHasEveryNamespaceButUserAndDockersDefaults()
    {
        var spec = Build(Options());
        Assert.Equal(["pid", "network", "ipc", "uts", "cgroup", "mount"], spec.Linux.Namespaces.Select(n => n.Type));
        Assert.Null(spec.Linux.UidMappings);
        Assert.Equal("/app", spec.Process.Cwd);
        Assert.Equal("host1", spec.Hostname);
        Assert.True(spec.Process.NoNewPrivileges);
        Assert.Equal(14, spec.Process.Capabilities!.Bounding.Count);
        Assert.DoesNotContain("CAP_SYS_ADMIN", spec.Process.Capabilities.Effective);
        Assert.Contains("/proc/kcore", spec.Linux.MaskedPaths!);
        Assert.Contains("/proc/sys", spec.Linux.ReadonlyPaths!);
        Assert.Contains(spec.Mounts, m => m.Destination == "/sys" && m.Type == "sysfs" && m.Options!.Contains("ro"));
        Assert.Contains(spec.Mounts, m => m.Destination == "/dev/pts" && m.Options!.Contains("gid=5"));
    }

    [Fact]
    public void UserNamespaceMapsRootToTheCallerAlone()
    {
        var spec = Build(Options(), userNamespace: true);
        Assert.Equal("user", spec.Linux.Namespaces[0].Type);
        var uid = Assert.Single(spec.Linux.UidMappings!);
        Assert.Equal((0u, 1234u, 1u), (uid.ContainerId, uid.HostId, uid.Size));
        Assert.Equal(5678u, Assert.Single(spec.Linux.GidMappings!).HostId);
        Assert.DoesNotContain(spec.Mounts, m => m.Options?.Contains("gid=5") == true);
    }

    [Fact]
    public void ASubordinateRangeLetsOtherUsersRunAndMapsTheTtyGroup()
    {
        List<SpecIdMapping> Wide(uint own) => [new() { ContainerId = 0, HostId = own, Size = 1 }, new() { ContainerId = 1, HostId = 100000, Size = 65536 }];
        var options = new ContainerCreateOptions { Image = Image.Name, User = "65534:65534" };
        var spec = SpecBuilder.Build(Image, options, "h", true, 1234, 5678, Wide(1234), Wide(5678));
        Assert.Equal("0 1234 1\n1 100000 65536\n", IdMaps.Format(spec.Linux.UidMappings!));
        Assert.Equal(65534u, spec.Process.User.Uid);
        Assert.Contains(spec.Mounts, m => m.Destination == "/dev/pts" && m.Options!.Contains("gid=5"));

        // Beyond the range, or with root alone mapped, a numeric user has no host identity.
        Assert.Throws<BentoException>(() => SpecBuilder.Build(Image, new ContainerCreateOptions { Image = Image.Name, User = "70000" }, "h", true, 1234, 5678, Wide(1234), Wide(5678)));
        Assert.Throws<BentoException>(() => Build(options, userNamespace: true));
    }

    [Fact]
    public void HostNetworkKeepsTheHostsNamespaceAndBindsSys()
    {
        var spec = Build(new ContainerCreateOptions { Image = Image.Name, Network = "host" });
        Assert.DoesNotContain(spec.Linux.Namespaces, n => n.Type == "network");
        Assert.Contains(spec.Mounts, m => m.Destination == "/sys" && m.Type == "bind" && m.Source == "/sys");
    }

    [Fact]
    public void UsersByNumberGoToProcessUserAndByNameToTheAnnotation()
    {
        var numeric = Build(new ContainerCreateOptions { Image = Image.Name, User = "1000:1500" });
        Assert.Equal((1000u, 1500u), (numeric.Process.User.Uid, numeric.Process.User.Gid));
        Assert.Null(numeric.Annotations);

        var named = Build(new ContainerCreateOptions { Image = Image.Name, User = "app" });
        Assert.Equal("app", named.Annotations![SpecAnnotations.User]);

        var e = Assert.Throws<BentoException>(() => Build(new ContainerCreateOptions { Image = Image.Name, User = "1000" }, userNamespace: true));
        Assert.Equal("InvalidArgument", e.ErrorId);
    }

    [Fact]
    public void BindMountsNeedAnExistingSourceAndAnAbsoluteTarget()
    {
        var spec = Build(new ContainerCreateOptions { Image = Image.Name, Mounts = [new BindMount("/etc", "/host-etc", ReadOnly: true)] });
        var mount = spec.Mounts.Single(m => m.Destination == "/host-etc");
        Assert.Equal(["rbind", "ro"], mount.Options);

        Assert.Throws<BentoException>(() => Build(new ContainerCreateOptions { Image = Image.Name, Mounts = [new BindMount("/no/such/dir", "/x", false)] }));
        Assert.Throws<BentoException>(() => Build(new ContainerCreateOptions { Image = Image.Name, Mounts = [new BindMount("/etc", "relative", false)] }));
    }

    [Fact]
    public void SpecSerializesWithOciPropertyNames()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(Build(Options(), userNamespace: true), ContainerJsonContext.Default.RuntimeSpec);
        Assert.Contains("\"ociVersion\"", json);
        Assert.Contains("\"containerID\": 0", json);
        Assert.Contains("\"hostID\": 1234", json);
        Assert.Contains("\"noNewPrivileges\": true", json);
        Assert.Contains("\"readonlyPaths\"", json);
    }
}
