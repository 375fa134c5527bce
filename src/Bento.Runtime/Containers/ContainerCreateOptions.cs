namespace Bento.Runtime.Containers;

/// <summary>A bind mount from the host: Source on the host, Target in the container.</summary>
public sealed record BindMount(string Source, string Target, bool ReadOnly);

/// <summary>What New-BentoContainer asks for; turned into an OCI runtime spec by <see cref="ContainerManager.Create"/>.</summary>
public sealed class ContainerCreateOptions
{
    public string? Name { get; init; }
    public required string Image { get; init; }
    /// <summary>Overrides the image's Cmd.</summary>
    public string[]? Command { get; init; }
    /// <summary>Overrides the image's Entrypoint (an empty array clears it).</summary>
    public string[]? Entrypoint { get; init; }
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    public string? WorkingDirectory { get; init; }
    public string? User { get; init; }
    public string? Hostname { get; init; }
    public IReadOnlyList<BindMount> Mounts { get; init; } = [];
    public bool ReadOnly { get; init; }
    public bool Tty { get; init; }
    /// <summary>"none" (own namespace, loopback only; the default) or "host".</summary>
    public string? Network { get; init; }
    /// <summary>Use a user namespace; defaults to true when not root.</summary>
    public bool? UserNamespace { get; init; }
}

/// <summary>One line of a container's output as recorded in log.jsonl.</summary>
public readonly record struct LogEntry(DateTimeOffset Time, string Stream, string Line);
