using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Images.Extraction;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Containers;

/// <summary>Making and deleting container directories.</summary>
internal static class ContainerDirectories
{
    /// <summary>mkdir with exactly <paramref name="mode"/> (not filtered by the umask).</summary>
    public static void Create(string path, uint mode)
    {
        if (Libc.mkdirat(Libc.AT_FDCWD, path, mode) != 0)
            throw ErrnoException.FromLastError("mkdir", path);
        if (Libc.fchmodat(Libc.AT_FDCWD, path, mode, 0) != 0)
            throw ErrnoException.FromLastError("chmod", path);
    }

    /// <summary>
    /// Deletes a container's directory. Its upper dir holds whatever the container wrote: directories with mode 000
    /// (an unprivileged owner cannot list or empty them), whiteout devices, symlinks anywhere (never followed).
    /// Refuses while anything is mounted inside it, so a recursive delete can never reach through a mount into
    /// an image layer or a bind-mounted host directory.
    /// </summary>
    public static void Delete(string path)
    {
        if (!Directory.Exists(path))
            return;
        foreach (var mountPoint in MountsUnder(path).OrderByDescending(m => m.Length))
            Libc.umount2(mountPoint, Libc.MNT_DETACH);
        var stillMounted = MountsUnder(path);
        if (stillMounted.Count > 0)
            throw new IOException($"'{path}' still has mounts inside it ({string.Join(", ", stillMounted)}); it was not deleted.");
        // Read first: the delete that fails may already have taken config.json.
        var mappings = Environment.IsPrivilegedProcess ? null : MappingsOf(path);
        try
        {
            TreeRemover.Delete(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException && mappings is { } wide)
        {
            // A rootless container's non-root users wrote files owned by the user's subordinate ids: only root
            // in a namespace mapping them may unlink those.
            MappedDelete.Run(path, wide.Uids, wide.Gids);
        }
    }

    /// <summary>The container's own mappings (its spec), or, when the spec is gone, what a container of this user
    /// would map now; null when the container has no user namespace or the user has no subordinate range.</summary>
    private static (IReadOnlyList<SpecIdMapping> Uids, IReadOnlyList<SpecIdMapping> Gids)? MappingsOf(string path)
    {
        try
        {
            var spec = new ContainerFiles(path).ReadSpec();
            return spec.Linux.UidMappings is { Count: > 1 } uids && spec.Linux.GidMappings is { Count: > 0 } gids ? (uids, gids) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
        }
        var (uidMappings, gidMappings) = SubordinateIds.MappingsFor(Libc.getuid(), Libc.getgid(), Environment.UserName);
        return uidMappings.Count > 1 ? (uidMappings, gidMappings) : null;
    }

    public static void TryDelete(string path)
    {
        try
        {
            Delete(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
        }
    }

    /// <summary>Mount points at or below <paramref name="path"/> in this process's mount namespace.</summary>
    public static List<string> MountsUnder(string path)
    {
        var prefix = path.TrimEnd('/') + "/";
        var found = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // Field 5 is the mount point, with spaces and such octal-escaped.
            var fields = line.Split(' ');
            if (fields.Length < 5) continue;
            var mountPoint = Unescape(fields[4]);
            if (mountPoint == path || mountPoint.StartsWith(prefix, StringComparison.Ordinal))
                found.Add(mountPoint);
        }
        return found;
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var bytes = new List<byte>();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                bytes.Add(Convert.ToByte(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.Add((byte)field[i]);
            }
        }
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }
}
