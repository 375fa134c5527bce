using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bento.Runtime.Containers;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Errors;
using Bento.Runtime.Process;
using SystemProcess = System.Diagnostics.Process;

namespace Bento.Runtime.Tests.Containers;

/// <summary>
/// The whole start path as an ordinary user: the monitor runs as <c>bento-test</c> (via setpriv), creates a user
/// namespace that maps container root to that user alone, mounts the overlay with userxattr and binds /dev and
/// /sys. Runs when the tests run as root (it needs useradd and setpriv); otherwise it has nothing to switch from.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed class RootlessTests(ContainerFixture fixture)
{
    private const string User = "bento-test";
    private const string RangeUser = "bento-rootless";

    [Fact]
    public void AnOrdinaryUserRunsAContainerWhoseRootIsThatUser()
    {
        if (!Environment.IsPrivilegedProcess)
            return;
        var (uid, gid) = EnsureUser();

        var container = fixture.Containers.CreateFrom(fixture.Image, fixture.LowerDirs, new ContainerCreateOptions
        {
            Image = BusyboxImage.Name,
            Command = ["sh", "-c", "id -u; id -g; cat /proc/self/uid_map; echo x > /written; stat -c %u /written; echo ready; sleep 0.5"],
        }, rootless: true, userNamespace: true);
        var files = new ContainerFiles(fixture.Runtime.Paths.ContainerDir(container.Id));
        // As if the user had created it: the spec maps container root to the user, and the directory is theirs.
        var spec = files.ReadSpec();
        Assert.Equal("user", spec.Linux.Namespaces[0].Type);
        spec.Linux.UidMappings![0].HostId = uid;
        spec.Linux.GidMappings![0].HostId = gid;
        files.WriteSpec(spec);
        Run("chown", "-R", $"{uid}:{gid}", files.Directory);

        var pid = StartAs(uid, gid, files);

        // On the host, the container's process and its monitor run as the user, not as root.
        Assert.Equal(uid, RealUid(pid));
        Assert.Equal(uid, RealUid(files.ReadState().MonitorPid));

        var done = fixture.Containers.Wait(container.Id, TimeSpan.FromSeconds(30), CancellationToken.None)!;
        Assert.True(done.ExitCode == 0, $"exit {done.ExitCode}: {fixture.Output(done)} {fixture.Output(done, "stderr")}");
        var lines = fixture.Output(done).Split('\n');
        Assert.Equal("0", lines[0]);
        Assert.Equal("0", lines[1]);
        Assert.Equal(["0", uid.ToString(CultureInfo.InvariantCulture), "1"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("0", lines[3]);
        // What container root wrote belongs to the user on the host.
        Assert.Equal(uid, Owner(Path.Combine(files.Upper, "written")));
        fixture.Containers.Remove(container.Id, force: false);
    }

    /// <summary>A user granted 65536 subordinate ids: container root is the user, 1..65536 the range, written by
    /// newuidmap/newgidmap. Container users other than root work (start and exec), own files on the host as
    /// start + id - 1, and what they wrote goes with the container's directory.</summary>
    [Fact]
    public void AUserWithASubordinateRangeGetsTheWholeRange()
    {
        if (!Environment.IsPrivilegedProcess || SubordinateIds.FindHelper(SubordinateIds.NewUidMap) is null
            || SubordinateIds.FindHelper(SubordinateIds.NewGidMap) is null)
            return;
        var (uid, gid) = EnsureRangeUser();
        var (uids, gids) = SubordinateIds.MappingsFor(uid, gid, RangeUser);
        Assert.Equal(2, uids.Count);
        Assert.Equal(2, gids.Count);

        // A layer of the user's own, as the user's store would hold: the fixture's belongs to host root, which the
        // namespace does not map, so overlay could not copy its /tmp up for a container user.
        var layer = Path.Combine(fixture.Root, "layer-" + Guid.NewGuid().ToString("N"));
        BusyboxImage.StageRootFs(layer);
        Run("chown", "-R", $"{uid}:{gid}", layer);
        try
        {
            RunWithRange(uid, gid, uids, gids, layer);
        }
        finally
        {
            Directory.Delete(layer, recursive: true);
        }
    }

    private void RunWithRange(uint uid, uint gid, List<SpecIdMapping> uids, List<SpecIdMapping> gids, string layer)
    {
        var start = uids[1].HostId;
        var nobodyOnHost = start + 65534 - 1;
        var container = fixture.Containers.CreateFrom(fixture.Image, [layer], new ContainerCreateOptions
        {
            Image = BusyboxImage.Name,
            Command = ["sh", "-c", "id -u; cat /proc/self/uid_map; mkdir /tmp/d; echo x > /tmp/d/f; chmod 500 /tmp/d; echo ready; sleep 30"],
        }, rootless: true, userNamespace: true);
        var files = new ContainerFiles(fixture.Runtime.Paths.ContainerDir(container.Id));
        // As if the user had created it with -User 65534:65534: the spec holds the user's mappings (root's create
        // would refuse that user with its single one), and the directory is theirs.
        var spec = files.ReadSpec();
        spec.Process.User.Uid = 65534;
        spec.Process.User.Gid = 65534;
        spec.Linux.UidMappings = uids;
        spec.Linux.GidMappings = gids;
        files.WriteSpec(spec);
        Run("chown", "-R", $"{uid}:{gid}", files.Directory);

        var pid = StartAs(uid, gid, files);
        Assert.Equal(nobodyOnHost, RealUid(pid));
        WaitForLine(container.Id, "ready");

        var lines = fixture.Output(fixture.Containers.Get(container.Id)).Split('\n');
        Assert.Equal("65534", lines[0]);
        Assert.Equal(["0", uid.ToString(CultureInfo.InvariantCulture), "1"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["1", start.ToString(CultureInfo.InvariantCulture), "65536"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));

        // An exec (by the user, as only the user's processes may enter the namespace with caps) joins the same user
        // namespace: nobody is mapped there too. bento-shim exec runs it on a PTY of the container's.
        var execSpec = ExecSpecBuilder.Build(spec, new ExecOptions { Command = ["id", "-u"], User = "65534:65534" }, terminal: true);
        var exec = new ProcessStartInfo("setpriv")
        {
            ArgumentList = { $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", ShimBuild.ShimPath, "exec", files.Directory },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { [ExecInitStage.SpecVariable] = JsonSerializer.Serialize(execSpec, ContainerJsonContext.Default.RuntimeSpec) },
        };
        using (var execProcess = SystemProcess.Start(exec)!)
        {
            var output = execProcess.StandardOutput.ReadToEnd().Trim();
            execProcess.WaitForExit();
            Assert.True(execProcess.ExitCode == 0, $"exit {execProcess.ExitCode}: {output} {execProcess.StandardError.ReadToEnd()}");
            Assert.Equal("65534", output);
        }

        fixture.Containers.Stop(container.Id, TimeSpan.Zero, force: true);
        // What nobody wrote belongs to a subordinate id on the host, in a directory the user cannot write to.
        Assert.True(File.Exists(Path.Combine(files.Upper, "tmp", "d", "f")), fixture.Output(fixture.Containers.Get(container.Id), "stderr"));
        Assert.Equal(nobodyOnHost, Owner(Path.Combine(files.Upper, "tmp", "d", "f")));
        var asUser = Capture("setpriv", $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", "rm", "-rf", files.Upper);
        Assert.Null(asUser);
        Assert.True(File.Exists(Path.Combine(files.Upper, "tmp", "d", "f")));

        // Removal as the user: the plain delete fails, then inside a namespace with the container's mappings the
        // user is root over those ids and the whole directory goes (what Remove does after its rename).
        // (Into a directory of the user's: the fixture's store belongs to root.)
        var usersTemp = Path.Combine(fixture.Root, "removing-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(usersTemp);
        Run("chown", $"{uid}:{gid}", usersTemp);
        var doomed = Path.Combine(usersTemp, container.Id);
        Directory.Move(files.Directory, doomed);
        using (var delete = SystemProcess.Start(new ProcessStartInfo("setpriv")
        {
            ArgumentList = { $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", ShimBuild.ShimPath, "delete-dir", doomed },
            RedirectStandardError = true,
        })!)
        {
            var error = delete.StandardError.ReadToEnd();
            delete.WaitForExit();
            Assert.True(delete.ExitCode == 0, error);
        }
        Assert.False(Directory.Exists(doomed));
        Assert.Empty(Directory.EnumerateFileSystemEntries(usersTemp));
        Directory.Delete(usersTemp);
        Assert.Throws<BentoException>(() => fixture.Containers.Get(container.Id));
    }

    /// <summary>A range /etc/subuid does not grant: newuidmap refuses, and the start fails as UnsupportedHost with
    /// what to check, leaving no process behind.</summary>
    [Fact]
    public void AnUngrantedRangeFailsTheStartClearly()
    {
        if (!Environment.IsPrivilegedProcess || SubordinateIds.FindHelper(SubordinateIds.NewUidMap) is null)
            return;
        var (uid, gid) = EnsureRangeUser();
        var container = fixture.Containers.CreateFrom(fixture.Image, fixture.LowerDirs, new ContainerCreateOptions
        {
            Image = BusyboxImage.Name,
            Command = ["true"],
        }, rootless: true, userNamespace: true);
        var files = new ContainerFiles(fixture.Runtime.Paths.ContainerDir(container.Id));
        var spec = files.ReadSpec();
        spec.Linux.UidMappings = [new() { ContainerId = 0, HostId = uid, Size = 1 }, new() { ContainerId = 1, HostId = 3_000_000_000, Size = 10 }];
        spec.Linux.GidMappings = [new() { ContainerId = 0, HostId = gid, Size = 1 }, new() { ContainerId = 1, HostId = 3_000_000_000, Size = 10 }];
        files.WriteSpec(spec);
        Run("chown", "-R", $"{uid}:{gid}", files.Directory);

        using var monitor = SystemProcess.Start(new ProcessStartInfo("setpriv")
        {
            ArgumentList = { $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", ShimBuild.ShimPath, "run", files.Directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var handshake = monitor.StandardOutput.ReadLine() ?? "";
        monitor.WaitForExit();
        var error = Assert.Throws<BentoException>(() => StartHandshake.Parse(handshake, container.Name, ""));
        Assert.Equal("UnsupportedHost", error.ErrorId);
        Assert.Contains(SubordinateIds.NewUidMap, error.Message, StringComparison.Ordinal);
        Assert.Contains(SubordinateIds.SubUidFile, error.Message, StringComparison.Ordinal);
        fixture.Containers.Remove(container.Id, force: false);
    }

    /// <summary>Without a grant, or without the helpers, container root alone is mapped (any user may write that).</summary>
    [Fact]
    public void WithoutASubordinateRangeOnlyRootIsMapped()
    {
        var directory = Directory.CreateTempSubdirectory("bento-subuid-");
        try
        {
            var subuid = Path.Combine(directory.FullName, "subuid");
            var subgid = Path.Combine(directory.FullName, "subgid");
            File.WriteAllText(subuid, "someone:100000:65536\n");
            File.WriteAllText(subgid, "someone:100000:65536\n");
            var (uids, gids) = SubordinateIds.MappingsFor(1234, 5678, "me", subuid, subgid, helpersInstalled: true);
            Assert.Equal("0 1234 1\n", IdMaps.Format(uids));
            Assert.Equal("0 5678 1\n", IdMaps.Format(gids));

            // Granted by uid (as newuidmap also matches), capped at 65536; subgid is keyed by the user too.
            File.WriteAllText(subuid, "# comment\nsomeone:100000:65536\n1234:200000:1000000\n");
            File.WriteAllText(subgid, "me:300000:65536\n");
            (uids, gids) = SubordinateIds.MappingsFor(1234, 5678, "me", subuid, subgid, helpersInstalled: true);
            Assert.Equal("0 1234 1\n1 200000 65536\n", IdMaps.Format(uids));
            Assert.Equal("0 5678 1\n1 300000 65536\n", IdMaps.Format(gids));

            // Both files must grant a range, and the helpers must be there to write it.
            (uids, _) = SubordinateIds.MappingsFor(1234, 5678, "me", subuid, Path.Combine(directory.FullName, "missing"), helpersInstalled: true);
            Assert.Single(uids);
            (uids, _) = SubordinateIds.MappingsFor(1234, 5678, "me", subuid, subgid, helpersInstalled: false);
            Assert.Single(uids);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private int StartAs(uint uid, uint gid, ContainerFiles files)
    {
        var monitor = SystemProcess.Start(new ProcessStartInfo("setpriv")
        {
            ArgumentList = { $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", ShimBuild.ShimPath, "run", files.Directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var handshake = monitor.StandardOutput.ReadLine();
        Assert.True(handshake?.StartsWith("started ", StringComparison.Ordinal), $"handshake '{handshake}', stderr: {monitor.StandardError.ReadToEnd()}");
        return int.Parse(handshake!["started ".Length..], CultureInfo.InvariantCulture);
    }

    private void WaitForLine(string id, string line)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!fixture.Output(fixture.Containers.Get(id)).Split('\n').Contains(line))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no '{line}' in 30 s: {fixture.Output(fixture.Containers.Get(id), "stderr")}");
            Thread.Sleep(20);
        }
    }

    private static (uint Uid, uint Gid) EnsureUser()
    {
        if (Capture("id", "-u", User) is null)
            Run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", User);
        return (uint.Parse(Capture("id", "-u", User)!, CultureInfo.InvariantCulture), uint.Parse(Capture("id", "-g", User)!, CultureInfo.InvariantCulture));
    }

    /// <summary>The user with a subordinate range: made with one when missing, given one when it has none.</summary>
    private static (uint Uid, uint Gid) EnsureRangeUser()
    {
        if (Capture("id", "-u", RangeUser) is null)
            Run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", RangeUser);
        var uid = uint.Parse(Capture("id", "-u", RangeUser)!, CultureInfo.InvariantCulture);
        if (SubordinateIds.Lookup(SubordinateIds.SubUidFile, RangeUser, uid) is null || SubordinateIds.Lookup(SubordinateIds.SubGidFile, RangeUser, uid) is null)
            Run("usermod", "--add-subuids", "100000-165535", "--add-subgids", "100000-165535", RangeUser);
        return (uid, uint.Parse(Capture("id", "-g", RangeUser)!, CultureInfo.InvariantCulture));
    }

    private static uint RealUid(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static uint Owner(string path) => uint.Parse(Capture("stat", "-c", "%u", path)!, CultureInfo.InvariantCulture);

    private static string? Capture(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = SystemProcess.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : null;
    }

    private static void Run(string program, params string[] arguments) =>
        Assert.True(Capture(program, arguments) is not null, $"{program} {string.Join(' ', arguments)} failed");
}
