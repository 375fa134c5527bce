using System.Globalization;
using Bento.Runtime.Containers.Spec;

namespace Bento.Runtime.Process;

/// <summary>A range of host ids that /etc/subuid or /etc/subgid grants a user.</summary>
internal readonly record struct SubordinateRange(uint Start, uint Count);

/// <summary>
/// The id mappings of a rootless container. With a subordinate range granted and the setuid helpers
/// (newuidmap/newgidmap, Debian's uidmap package) installed, container root is the user and container ids
/// 1..N are the range, as podman does; otherwise container root alone is mapped, which any user may write.
/// </summary>
internal static class SubordinateIds
{
    public const string SubUidFile = "/etc/subuid";
    public const string SubGidFile = "/etc/subgid";
    public const string NewUidMap = "newuidmap";
    public const string NewGidMap = "newgidmap";

    /// <summary>Podman's default size: every id a distribution image uses (nobody is 65534) fits, and a user
    /// granted a larger range does not hand all of it to every container.</summary>
    public const uint MaxCount = 65536;

    public static (List<SpecIdMapping> Uids, List<SpecIdMapping> Gids) MappingsFor(uint uid, uint gid, string? userName) =>
        MappingsFor(uid, gid, userName, SubUidFile, SubGidFile, FindHelper(NewUidMap) is not null && FindHelper(NewGidMap) is not null);

    /// <summary>The seam for tests: which files to read and whether the helpers exist.</summary>
    internal static (List<SpecIdMapping> Uids, List<SpecIdMapping> Gids) MappingsFor(uint uid, uint gid, string? userName,
        string subUidFile, string subGidFile, bool helpersInstalled)
    {
        var uids = new List<SpecIdMapping> { new() { ContainerId = 0, HostId = uid, Size = 1 } };
        var gids = new List<SpecIdMapping> { new() { ContainerId = 0, HostId = gid, Size = 1 } };
        // Both or neither: a container whose uids are wide but gids are not would own files with unmapped groups.
        if (helpersInstalled && Lookup(subUidFile, userName, uid) is { } uidRange && Lookup(subGidFile, userName, uid) is { } gidRange)
        {
            uids.Add(new SpecIdMapping { ContainerId = 1, HostId = uidRange.Start, Size = Math.Min(uidRange.Count, MaxCount) });
            gids.Add(new SpecIdMapping { ContainerId = 1, HostId = gidRange.Start, Size = Math.Min(gidRange.Count, MaxCount) });
        }
        return (uids, gids);
    }

    /// <summary>The first range granted to the user by name or by uid (how newuidmap matches too), or null when the
    /// file is missing or grants nothing. subgid is keyed by the user as well, not by a group.</summary>
    internal static SubordinateRange? Lookup(string file, string? userName, uint uid)
    {
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadLines(file).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var uidText = uid.ToString(CultureInfo.InvariantCulture);
        foreach (var line in lines)
        {
            var fields = line.Trim().Split(':');
            if (fields.Length != 3 || fields[0].StartsWith('#'))
                continue;
            if (fields[0] != uidText && (string.IsNullOrEmpty(userName) || fields[0] != userName))
                continue;
            if (uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                && count > 0 && (ulong)start + count <= uint.MaxValue)
                return new SubordinateRange(start, count);
        }
        return null;
    }

    /// <summary>The helper's path in $PATH or the usual system directories (a monitor may run with a bare PATH).</summary>
    public static string? FindHelper(string name)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/bin", "/usr/sbin", "/sbin"]);
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, name);
            if (directory.StartsWith('/') && File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>True when container id <paramref name="id"/> has a host id under these mappings.</summary>
    public static bool IsMapped(IReadOnlyList<SpecIdMapping>? mappings, uint id) =>
        mappings is not null && mappings.Any(m => id >= m.ContainerId && (ulong)id < (ulong)m.ContainerId + m.Size);
}
