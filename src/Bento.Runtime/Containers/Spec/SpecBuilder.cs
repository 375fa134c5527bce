using System.Globalization;
using Bento.Runtime.Errors;
using Bento.Runtime.Process;

namespace Bento.Runtime.Containers.Spec;

/// <summary>Turns an image config and New-BentoContainer's parameters into the container's OCI runtime spec,
/// with Docker's semantics for Entrypoint/Cmd/Env and Docker's and runc's security defaults.</summary>
internal static class SpecBuilder
{
    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    public static readonly IReadOnlyList<string> ReadonlyPaths =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    /// <summary>Entrypoint + Cmd as Docker combines them: -Command replaces Cmd; -Entrypoint replaces Entrypoint
    /// and drops the image's Cmd unless a Command is given too.</summary>
    public static List<string> Arguments(BentoImage image, ContainerCreateOptions options)
    {
        var entrypoint = options.Entrypoint ?? image.Entrypoint ?? [];
        var cmd = options.Command ?? (options.Entrypoint is not null ? [] : image.Cmd ?? []);
        return [.. entrypoint, .. cmd];
    }

    /// <summary>Image env, then the parameters (later wins, by name); PATH defaulted like Docker.</summary>
    public static List<string> Environment(BentoImage image, ContainerCreateOptions options, string hostname)
    {
        var merged = new List<KeyValuePair<string, string>>();
        void Set(string name, string value)
        {
            var index = merged.FindIndex(p => p.Key == name);
            if (index >= 0) merged[index] = new(name, value);
            else merged.Add(new(name, value));
        }
        Set("HOSTNAME", hostname);
        foreach (var entry in image.Env)
        {
            var equals = entry.IndexOf('=');
            if (equals > 0) Set(entry[..equals], entry[(equals + 1)..]);
        }
        if (options.Tty && merged.All(p => p.Key != "TERM"))
            Set("TERM", "xterm");
        foreach (var (name, value) in options.Environment ?? new Dictionary<string, string>())
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0'))
                throw BentoErrors.InvalidArgument(name, $"'{name}' is not a valid environment variable name.");
            Set(name, value);
        }
        if (merged.All(p => p.Key != "PATH"))
            merged.Insert(0, new("PATH", CommandLookup.DefaultPath));
        return merged.Select(p => p.Key + "=" + p.Value).ToList();
    }

    /// <summary>With a user namespace, <paramref name="uidMappings"/>/<paramref name="gidMappings"/> (see
    /// <see cref="SubordinateIds"/>) or, when not given, container root as <paramref name="hostUid"/> alone.</summary>
    public static RuntimeSpec Build(BentoImage image, ContainerCreateOptions options, string hostname, bool userNamespace, uint hostUid, uint hostGid,
        List<SpecIdMapping>? uidMappings = null, List<SpecIdMapping>? gidMappings = null)
    {
        if (userNamespace)
        {
            uidMappings ??= [new SpecIdMapping { ContainerId = 0, HostId = hostUid, Size = 1 }];
            gidMappings ??= [new SpecIdMapping { ContainerId = 0, HostId = hostGid, Size = 1 }];
        }
        var args = Arguments(image, options);
        if (args.Count == 0)
            throw BentoErrors.InvalidArgument("Command", $"No command specified: the image '{image.Name}' has no Entrypoint or Cmd; give -Command.");
        var cwd = options.WorkingDirectory ?? (string.IsNullOrEmpty(image.WorkingDir) ? "/" : image.WorkingDir);
        if (!cwd.StartsWith('/'))
            throw BentoErrors.InvalidArgument("WorkingDirectory", $"The working directory '{cwd}' must be an absolute path.");

        var spec = new RuntimeSpec
        {
            Process = new SpecProcess
            {
                Terminal = options.Tty,
                Args = args,
                Env = Environment(image, options, hostname),
                Cwd = cwd,
                Capabilities = new SpecCapabilities
                {
                    Bounding = [.. Capabilities.DockerDefault],
                    Effective = [.. Capabilities.DockerDefault],
                    Permitted = [.. Capabilities.DockerDefault],
                },
                Rlimits = [new SpecRlimit { Type = "RLIMIT_NOFILE", Soft = 1024, Hard = 524288 }],
                NoNewPrivileges = true,
            },
            Root = new SpecRoot { Path = "rootfs", Readonly = options.ReadOnly },
            Hostname = hostname,
            // The tty group exists only when the user namespace maps it.
            Mounts = DefaultMounts(!userNamespace || SubordinateIds.IsMapped(gidMappings, TtyGid)),
            Linux = new SpecLinux
            {
                MaskedPaths = [.. MaskedPaths],
                ReadonlyPaths = [.. ReadonlyPaths],
            },
        };
        ApplyUser(spec, options.User ?? image.User, userNamespace ? uidMappings : null);

        foreach (var kind in Namespaces.InOrder)
        {
            if (kind == Namespaces.User && !userNamespace) continue;
            if (kind == Namespaces.Network && IsHostNetwork(options.Network)) continue;
            spec.Linux.Namespaces.Add(new SpecNamespace { Type = kind.SpecType });
        }
        if (userNamespace)
        {
            spec.Linux.UidMappings = uidMappings;
            spec.Linux.GidMappings = gidMappings;
        }
        if (IsHostNetwork(options.Network))
        {
            spec.Mounts.RemoveAll(m => m.Type == "sysfs"); // sysfs belongs to a network namespace: bind the host's
            spec.Mounts.Add(new SpecMount { Destination = "/sys", Type = "bind", Source = "/sys", Options = ["rbind", "nosuid", "noexec", "nodev", "ro"] });
        }

        foreach (var bind in options.Mounts)
        {
            if (!bind.Target.StartsWith('/'))
                throw BentoErrors.InvalidArgument("Mount", $"The mount target '{bind.Target}' must be an absolute path in the container.");
            var source = Path.GetFullPath(bind.Source);
            if (!File.Exists(source) && !Directory.Exists(source))
                throw BentoErrors.InvalidArgument("Mount", $"The mount source '{bind.Source}' does not exist.");
            spec.Mounts.Add(new SpecMount
            {
                Destination = bind.Target,
                Type = "bind",
                Source = source,
                Options = bind.ReadOnly ? ["rbind", "ro"] : ["rbind"],
            });
        }
        return spec;
    }

    public static bool IsHostNetwork(string? network) => string.Equals(network, "host", StringComparison.OrdinalIgnoreCase);

    /// <summary>Numbers go into process.user directly; names (resolved by init against the image's own
    /// /etc/passwd) into an annotation.</summary>
    /// <param name="uidMappings">The user namespace's, or null without one.</param>
    private static void ApplyUser(RuntimeSpec spec, string? user, List<SpecIdMapping>? uidMappings)
    {
        if (string.IsNullOrEmpty(user))
            return;
        var parts = user.Split(':', 2);
        var uidIsNumber = uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid);
        var gid = 0u;
        var gidIsNumber = parts.Length == 2 && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out gid);
        if (parts[0].Length == 0 || (parts.Length == 2 && parts[1].Length == 0))
            throw BentoErrors.InvalidArgument("User", $"'{user}' is not a user: use name, uid, name:group or uid:gid.");
        if (uidMappings is not null && uidIsNumber && !SubordinateIds.IsMapped(uidMappings, uid))
            throw BentoErrors.InvalidArgument("User", UnmappedUser(user, uidMappings));
        if (uidIsNumber) spec.Process.User.Uid = uid;
        if (gidIsNumber) spec.Process.User.Gid = gid;
        if (!uidIsNumber || parts.Length == 1 || !gidIsNumber)
            (spec.Annotations ??= [])[SpecAnnotations.User] = user;
    }

    /// <summary>Why a numeric user cannot run in a rootless container: what is mapped, and how to map more.</summary>
    internal static string UnmappedUser(string user, IReadOnlyList<SpecIdMapping> uidMappings) =>
        uidMappings.Count == 1 && uidMappings[0].Size == 1
            ? $"A rootless container without a subordinate id range maps only its root user; user '{user}' would have no identity on the host. " +
              "Grant the user a range in /etc/subuid and /etc/subgid (and install newuidmap/newgidmap) to run as other users."
            : $"User '{user}' is outside the container's mapped ids (0-{uidMappings.Max(m => (ulong)m.ContainerId + m.Size) - 1}); it would have no identity on the host.";

    private const uint TtyGid = 5;

    private static List<SpecMount> DefaultMounts(bool ttyGroupMapped) =>
    [
        new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
        new()
        {
            Destination = "/dev/pts", Type = "devpts", Source = "devpts",
            Options = ttyGroupMapped
                ? ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]
                : ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"],
        },
        new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
        new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
    ];
}
