using System.Diagnostics;
using System.Globalization;
using Bento.Runtime.Containers;
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

        var monitor = SystemProcess.Start(new ProcessStartInfo("setpriv")
        {
            ArgumentList = { $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", ShimBuild.ShimPath, "run", files.Directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var handshake = monitor.StandardOutput.ReadLine();
        Assert.True(handshake?.StartsWith("started ", StringComparison.Ordinal), $"handshake '{handshake}', stderr: {monitor.StandardError.ReadToEnd()}");
        var pid = int.Parse(handshake!["started ".Length..], CultureInfo.InvariantCulture);

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

    private static (uint Uid, uint Gid) EnsureUser()
    {
        if (Capture("id", "-u", User) is null)
            Run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", User);
        return (uint.Parse(Capture("id", "-u", User)!, CultureInfo.InvariantCulture), uint.Parse(Capture("id", "-g", User)!, CultureInfo.InvariantCulture));
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
