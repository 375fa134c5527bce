using System.Globalization;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>Who the container's process runs as, resolved like Docker does against the container's own
/// /etc/passwd and /etc/group (read after pivot_root, so it is the image's files, never the host's).</summary>
internal sealed record ContainerUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string? Home)
{
    /// <summary>"name", "uid", "name:group", "uid:gid" (any mix).</summary>
    public static ContainerUser Resolve(string? spec, uint defaultUid, uint defaultGid, string passwdPath = "/etc/passwd", string groupPath = "/etc/group")
    {
        var passwd = ReadColonFile(passwdPath);
        var groups = ReadColonFile(groupPath);
        string userPart, groupPart;
        if (string.IsNullOrEmpty(spec))
        {
            userPart = defaultUid.ToString(CultureInfo.InvariantCulture);
            groupPart = "";
        }
        else
        {
            var colon = spec.IndexOf(':');
            userPart = colon < 0 ? spec : spec[..colon];
            groupPart = colon < 0 ? "" : spec[(colon + 1)..];
        }

        string[]? entry;
        uint uid;
        if (uint.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
        {
            entry = passwd.FirstOrDefault(e => e.Length >= 7 && e[2] == userPart);
        }
        else
        {
            entry = passwd.FirstOrDefault(e => e.Length >= 7 && e[0] == userPart)
                ?? throw new InitStepException(InitStep.User, Libc.ENOENT, $"no user '{userPart}' in the container's /etc/passwd");
            uid = uint.Parse(entry[2], CultureInfo.InvariantCulture);
        }

        uint gid;
        if (groupPart.Length == 0)
            gid = entry is not null ? uint.Parse(entry[3], CultureInfo.InvariantCulture) : (string.IsNullOrEmpty(spec) ? defaultGid : 0);
        else if (!uint.TryParse(groupPart, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
        {
            var group = groups.FirstOrDefault(g => g.Length >= 3 && g[0] == groupPart)
                ?? throw new InitStepException(InitStep.User, Libc.ENOENT, $"no group '{groupPart}' in the container's /etc/group");
            gid = uint.Parse(group[2], CultureInfo.InvariantCulture);
        }

        // Supplementary groups: every group that lists the user by name (only when no group was forced).
        var additional = new List<uint>();
        if (entry is not null && groupPart.Length == 0)
        {
            foreach (var group in groups.Where(g => g.Length >= 4))
            {
                if (group[3].Split(',').Contains(entry[0]) && uint.TryParse(group[2], NumberStyles.None, CultureInfo.InvariantCulture, out var member) && member != gid)
                    additional.Add(member);
            }
        }
        return new ContainerUser(uid, gid, additional, entry?[5]);
    }

    private static List<string[]> ReadColonFile(string path)
    {
        try
        {
            return File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(':')).ToList();
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
