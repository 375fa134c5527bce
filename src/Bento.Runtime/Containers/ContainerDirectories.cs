using Bento.Runtime.Interop;

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
        var mounted = MountsUnder(path);
        foreach (var mountPoint in mounted.OrderByDescending(m => m.Length))
            Libc.umount2(mountPoint, Libc.MNT_DETACH);
        if (MountsUnder(path).Count > 0)
            throw new IOException($"'{path}' still has mounts inside it ({string.Join(", ", MountsUnder(path))}); it was not deleted.");
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            MakeTraversable(path);
            Directory.Delete(path, recursive: true);
        }
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

    private static void MakeTraversable(string directory)
    {
        var info = new DirectoryInfo(directory);
        if (info.LinkTarget is not null)
            return;
        // rwx for the owner: enough to list and unlink, whatever the container left.
        if (Libc.fchmodat(Libc.AT_FDCWD, directory, 0b111_000_000, 0) != 0)
            return;
        foreach (var child in info.EnumerateDirectories())
        {
            if (child.LinkTarget is null)
                MakeTraversable(child.FullName);
        }
    }
}
