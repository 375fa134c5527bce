using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>Finds the container's command the way execvp would, in the container's PATH.</summary>
internal static class CommandLookup
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The path to execute, or null when nothing executable by that name exists.</summary>
    public static string? Find(string command, IEnumerable<string> environment)
    {
        if (command.Length == 0)
            return null;
        if (command.Contains('/'))
            return IsExecutableFile(command) ? command : null;
        var path = environment.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?["PATH=".Length..] ?? DefaultPath;
        foreach (var directory in path.Split(':'))
        {
            var candidate = Path.Combine(directory.Length == 0 ? "." : directory, command);
            if (IsExecutableFile(candidate))
                return candidate;
        }
        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        // File.Exists follows symlinks (busybox applets are links) and is false for directories; access(X_OK)
        // answers for the caller, root included (root needs at least one execute bit).
        return File.Exists(path) && Libc.access(path, Libc.X_OK) == 0;
    }
}
