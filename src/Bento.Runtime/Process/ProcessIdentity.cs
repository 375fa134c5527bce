using System.Globalization;

namespace Bento.Runtime.Process;

/// <summary>
/// A process named by pid and start time (field 22 of /proc/&lt;pid&gt;/stat, clock ticks since boot). Pids are
/// recycled; the pair is not, within one boot, so a state file never mistakes a newcomer for its container.
/// </summary>
internal readonly record struct ProcessIdentity(int Pid, ulong StartTime)
{
    /// <summary>The live (not zombie) process with this pid now, or null.</summary>
    public static ProcessIdentity? Of(int pid)
    {
        if (pid <= 0)
            return null;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields count from the last ')'.
        var afterName = stat.LastIndexOf(')');
        if (afterName < 0)
            return null;
        var fields = stat[(afterName + 2)..].Split(' ');
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        if (fields.Length < 20 || fields[0] is "Z" or "X" or "x")
            return null;
        return ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime)
            ? new ProcessIdentity(pid, startTime)
            : null;
    }

    public static ProcessIdentity Self() => Of(Environment.ProcessId) ?? throw new InvalidOperationException("/proc/self/stat is unreadable.");

    /// <summary>True while this very process (not a successor with its pid) lives and is not a zombie.</summary>
    public bool IsAlive => Of(Pid) is { } now && now.StartTime == StartTime;

    /// <summary>Changes on every boot; with it a pid recorded before a reboot is known to mean nothing.</summary>
    public static string BootId() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
}
