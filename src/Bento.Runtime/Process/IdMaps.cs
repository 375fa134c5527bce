using System.Globalization;
using System.Text;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Errors;
using Bento.Runtime.Interop;
using SystemProcess = System.Diagnostics.Process;

namespace Bento.Runtime.Process;

/// <summary>Writes a child's uid/gid maps from the parent side, while the child waits on the sync pipe.</summary>
internal static class IdMaps
{
    public static void Write(int pid, IReadOnlyList<SpecIdMapping> uidMappings, IReadOnlyList<SpecIdMapping> gidMappings)
    {
        if (Environment.IsPrivilegedProcess)
        {
            // Root may write any map itself and keeps setgroups usable.
            WriteProcFile(pid, "uid_map", Format(uidMappings));
            WriteProcFile(pid, "gid_map", Format(gidMappings));
            return;
        }
        // An unprivileged writer may map only its own ids, one mapping each; anything wider (a subordinate range)
        // is the setuid helpers' to write, after they check /etc/subuid and /etc/subgid.
        if (IsOwnIdAlone(uidMappings, Libc.getuid()))
            WriteProcFile(pid, "uid_map", Format(uidMappings));
        else
            RunHelper(SubordinateIds.NewUidMap, pid, uidMappings);
        if (IsOwnIdAlone(gidMappings, Libc.getgid()))
        {
            // Its own gid only once setgroups is denied (else the child could drop a supplementary group that was
            // denying it access). newgidmap decides setgroups itself: it allows it for a granted range.
            WriteProcFile(pid, "setgroups", "deny");
            WriteProcFile(pid, "gid_map", Format(gidMappings));
        }
        else
        {
            RunHelper(SubordinateIds.NewGidMap, pid, gidMappings);
        }
    }

    public static string Format(IReadOnlyList<SpecIdMapping> mappings)
    {
        var text = new StringBuilder();
        foreach (var m in mappings)
            text.Append(CultureInfo.InvariantCulture, $"{m.ContainerId} {m.HostId} {m.Size}\n");
        return text.ToString();
    }

    private static bool IsOwnIdAlone(IReadOnlyList<SpecIdMapping> mappings, uint own) =>
        mappings.Count == 1 && mappings[0].HostId == own && mappings[0].Size == 1;

    /// <summary><c>newuidmap &lt;pid&gt; &lt;container id&gt; &lt;host id&gt; &lt;size&gt; ...</c></summary>
    private static void RunHelper(string helper, int pid, IReadOnlyList<SpecIdMapping> mappings)
    {
        var path = SubordinateIds.FindHelper(helper) ?? throw BentoErrors.UnsupportedHost(
            $"The container maps a subordinate id range, but '{helper}' is not installed.",
            "Install the 'uidmap' package (newuidmap and newgidmap), or remove the user's entries from /etc/subuid and /etc/subgid.");
        var start = new System.Diagnostics.ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        foreach (var m in mappings)
        {
            start.ArgumentList.Add(m.ContainerId.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add(m.HostId.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add(m.Size.ToString(CultureInfo.InvariantCulture));
        }
        string error;
        int exitCode;
        try
        {
            using var process = SystemProcess.Start(start)!;
            process.StandardInput.Close();
            var errorRead = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            error = (errorRead.GetAwaiter().GetResult() + output).Trim();
            process.WaitForExit();
            exitCode = process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error = e.Message;
            exitCode = -1;
        }
        if (exitCode != 0)
            throw BentoErrors.UnsupportedHost(
                $"'{helper}' refused the container's id mappings ({Format(mappings).Trim().Replace('\n', ',')}): {error}",
                $"Check that {(helper == SubordinateIds.NewUidMap ? SubordinateIds.SubUidFile : SubordinateIds.SubGidFile)} grants the user that range " +
                $"and that '{path}' is setuid root (Debian: reinstall the 'uidmap' package).");
    }

    private static void WriteProcFile(int pid, string name, string content)
    {
        var path = $"/proc/{pid}/{name}";
        using var file = Libc.OpenHandle(path, Libc.O_WRONLY);
        // The kernel takes a map in one write(2) or not at all.
        Libc.WriteAll(file.Fd, Encoding.ASCII.GetBytes(content), path);
    }
}
