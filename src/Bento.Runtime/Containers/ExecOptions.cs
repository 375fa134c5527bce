namespace Bento.Runtime.Containers;

/// <summary>What Invoke-BentoExec and Enter-BentoContainer ask for: a command to run inside a running container.</summary>
public sealed class ExecOptions
{
    /// <summary>argv; the first word is looked up in the container's PATH.</summary>
    public required IReadOnlyList<string> Command { get; init; }
    /// <summary>Added to the container's environment (same name: this value wins).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    /// <summary>name, uid, name:group or uid:gid, resolved against the container's own /etc/passwd and /etc/group;
    /// the container's user when null.</summary>
    public string? User { get; init; }
    /// <summary>An absolute path in the container; the container's working directory when null.</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>One line the exec'd process wrote. <see cref="Stream"/> is "stdout" or "stderr" (as in <see cref="LogEntry"/>);
/// the line has no line ending.</summary>
public readonly record struct ExecOutputLine(string Stream, string Line)
{
    public const string StandardOutput = "stdout";
    public const string StandardError = "stderr";

    public bool IsError => Stream == StandardError;
}
