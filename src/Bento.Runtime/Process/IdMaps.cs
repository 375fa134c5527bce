using System.Globalization;
using System.Text;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>Writes a child's uid/gid maps from the parent side, while the child waits on the sync pipe.</summary>
internal static class IdMaps
{
    public static void Write(int pid, IReadOnlyList<SpecIdMapping> uidMappings, IReadOnlyList<SpecIdMapping> gidMappings)
    {
        // An unprivileged writer may map only its own gid, and only once setgroups is denied (else the child could
        // drop a supplementary group that was denying it access). Root keeps setgroups usable.
        if (!Environment.IsPrivilegedProcess)
            WriteProcFile(pid, "setgroups", "deny");
        WriteProcFile(pid, "uid_map", Format(uidMappings));
        WriteProcFile(pid, "gid_map", Format(gidMappings));
    }

    public static string Format(IReadOnlyList<SpecIdMapping> mappings)
    {
        var text = new StringBuilder();
        foreach (var m in mappings)
            text.Append(CultureInfo.InvariantCulture, $"{m.ContainerId} {m.HostId} {m.Size}\n");
        return text.ToString();
    }

    private static void WriteProcFile(int pid, string name, string content)
    {
        var path = $"/proc/{pid}/{name}";
        using var file = Libc.OpenHandle(path, Libc.O_WRONLY);
        // The kernel takes a map in one write(2) or not at all.
        Libc.WriteAll(file.Fd, Encoding.ASCII.GetBytes(content), path);
    }
}
