using System.Buffers;
using System.Text;
using Bento.Runtime.Containers;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;
using Bento.Runtime.RootFs;

namespace Bento.Runtime.Tests.Containers;

/// <summary>The pieces of the runtime that need no container: names, options, path joining, users, logs.</summary>
public sealed class RuntimePartsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bento-parts-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("web", true)]
    [InlineData("a.b-c_d9", true)]
    [InlineData("9lives", true)]
    [InlineData("-dash", false)]
    [InlineData("_under", false)]
    [InlineData("has space", false)]
    [InlineData("slash/x", false)]
    [InlineData("", false)]
    public void NamesFollowDockersGrammar(string name, bool valid) => Assert.Equal(valid, ContainerNames.IsValid(name));

    [Fact]
    public void GeneratedNamesAndIdsLookRight()
    {
        Assert.Matches("^[a-z]+_[a-z]+$", ContainerNames.Generate());
        Assert.Matches("^[0-9a-f]{64}$", ContainerNames.NewId());
    }

    [Fact]
    public void MountOptionsSplitIntoFlagsPropagationAndData()
    {
        var options = MountOptions.Parse(["nosuid", "noexec", "rbind", "ro", "rslave", "mode=755", "size=65536k"]);
        Assert.Equal(Libc.MS_NOSUID | Libc.MS_NOEXEC | Libc.MS_BIND | Libc.MS_REC | Libc.MS_RDONLY, options.Flags);
        Assert.Equal(Libc.MS_SLAVE | Libc.MS_REC, options.Propagation);
        Assert.Equal("mode=755,size=65536k", options.Data);
        Assert.Equal(Libc.MOUNT_ATTR_RDONLY | Libc.MOUNT_ATTR_NOSUID | Libc.MOUNT_ATTR_NOEXEC, options.BindAttributes);
        Assert.False(MountOptions.Parse(["ro", "rw"]).IsReadOnly);
    }

    [Fact]
    public void SecurePathKeepsSymlinksInsideTheRoot()
    {
        Directory.CreateDirectory(Path.Combine(_root, "real"));
        File.CreateSymbolicLink(Path.Combine(_root, "abs"), "/etc");
        File.CreateSymbolicLink(Path.Combine(_root, "up"), "../../../../..");
        File.CreateSymbolicLink(Path.Combine(_root, "rel"), "real");
        File.CreateSymbolicLink(Path.Combine(_root, "loop"), "loop");

        Assert.Equal(Path.Combine(_root, "etc", "passwd"), SecurePath.Join(_root, "/abs/passwd"));
        Assert.Equal(Path.Combine(_root, "etc"), SecurePath.Join(_root, "/up/etc"));
        Assert.Equal(Path.Combine(_root, "real", "x"), SecurePath.Join(_root, "/rel/x"));
        Assert.Equal(Path.Combine(_root, "a"), SecurePath.Join(_root, "/../../a"));
        Assert.Equal(_root, SecurePath.Join(_root, "/"));
        Assert.Throws<IOException>(() => SecurePath.Join(_root, "/loop/x"));
    }

    [Fact]
    public void OverlayNamesLayersRelativeToTheirCommonDirectoryTopFirst()
    {
        var (directory, data) = Overlay.Options(["/s/layers/l1", "/s/layers/l2"], "/s/c/upper", "/s/c/work", inUserNamespace: false);
        Assert.Equal("/s/layers", directory);
        Assert.Equal("lowerdir=l2:l1,upperdir=/s/c/upper,workdir=/s/c/work", data);
        var (_, rootless) = Overlay.Options(["/a/l1", "/b/l2"], "/u", "/w", inUserNamespace: true);
        Assert.Equal("lowerdir=/b/l2:/a/l1,upperdir=/u,workdir=/w,userxattr", rootless);
    }

    [Fact]
    public void UsersResolveAgainstTheContainersOwnFiles()
    {
        var passwd = Path.Combine(_root, "passwd");
        var group = Path.Combine(_root, "group");
        File.WriteAllText(passwd, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        File.WriteAllText(group, "root:x:0:\napp:x:1000:\nwheel:x:10:app,other\n");

        var root = ContainerUser.Resolve(null, 0, 0, passwd, group);
        Assert.Equal((0u, 0u, "/root"), (root.Uid, root.Gid, root.Home));
        Assert.Empty(root.AdditionalGids);
        var app = ContainerUser.Resolve("app", 0, 0, passwd, group);
        Assert.Equal((1000u, 1000u, "/home/app"), (app.Uid, app.Gid, app.Home));
        Assert.Equal([10u], app.AdditionalGids);
        Assert.Equal((1000u, 10u), (ContainerUser.Resolve("app:wheel", 0, 0, passwd, group).Uid, ContainerUser.Resolve("app:wheel", 0, 0, passwd, group).Gid));
        Assert.Equal((4242u, 0u), (ContainerUser.Resolve("4242", 0, 0, passwd, group).Uid, ContainerUser.Resolve("4242", 0, 0, passwd, group).Gid));
        Assert.Throws<InitStepException>(() => ContainerUser.Resolve("nobody-here", 0, 0, passwd, group));
    }

    [Fact]
    public void CommandsAreFoundInThePathOfTheEnvironment()
    {
        Assert.Equal("/bin/sh", CommandLookup.Find("sh", ["PATH=/nonexistent:/bin"]));
        Assert.Equal("/bin/true", CommandLookup.Find("/bin/true", []));
        Assert.Null(CommandLookup.Find("no-such-command-anywhere", ["PATH=/bin"]));
        Assert.Null(CommandLookup.Find("/etc", []));
        Assert.Null(CommandLookup.Find("/etc/passwd", []));
    }

    [Fact]
    public void LogLinesRoundTripThroughJson()
    {
        var output = new ArrayBufferWriter<byte>();
        var time = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        LogFormat.Append(output, time, "stderr", Encoding.UTF8.GetBytes("quote \" tab \t ünïcode"));
        var line = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.EndsWith("}\n", line);
        Assert.Contains("\"time\":\"2025-01-02T03:04:05Z\"", line);
        var entry = LogFormat.Parse(output.WrittenSpan[..^1]);
        Assert.Equal(new LogEntry(time, "stderr", "quote \" tab \t ünïcode"), entry);
        Assert.Null(LogFormat.Parse("not json"u8));
    }

    [Fact]
    public void TheStateMachineAllowsOnlyItsTransitions()
    {
        Assert.True(ContainerLifecycle.IsLegal(ContainerState.Created, ContainerOperation.Start));
        Assert.True(ContainerLifecycle.IsLegal(ContainerState.Exited, ContainerOperation.Start));
        Assert.True(ContainerLifecycle.IsLegal(ContainerState.Running, ContainerOperation.Exit));
        Assert.False(ContainerLifecycle.IsLegal(ContainerState.Running, ContainerOperation.Start));
        Assert.False(ContainerLifecycle.IsLegal(ContainerState.Running, ContainerOperation.Remove));
        Assert.False(ContainerLifecycle.IsLegal(ContainerState.Created, ContainerOperation.Exit));
    }

    [Fact]
    public void DisplayCommandQuotesWordsWithBlanks() =>
        Assert.Equal("sh -c \"echo hi\" \"\"", ContainerManager.DisplayCommand(["sh", "-c", "echo hi", ""]));

    [Fact]
    public void ProcessIdentityTellsARecycledPidApart()
    {
        var self = ProcessIdentity.Self();
        Assert.True(self.IsAlive);
        Assert.False((self with { StartTime = self.StartTime + 1 }).IsAlive);
        Assert.Null(ProcessIdentity.Of(int.MaxValue));
        Assert.Matches("^[0-9a-f-]{36}$", ProcessIdentity.BootId());
    }
}
