namespace Bento;

/// <summary>The user-facing lifecycle states (OCI: created, running, stopped).</summary>
public enum ContainerState
{
    Created,
    Running,
    Exited,
}

/// <summary>A container, as emitted on the pipeline. A snapshot: cmdlets re-read state by Id.</summary>
public sealed class BentoContainer
{
    public required string Name { get; init; }
    /// <summary>64 hex characters.</summary>
    public required string Id { get; init; }
    public required string Image { get; init; }
    public required string ImageId { get; init; }
    public ContainerState State { get; init; }
    /// <summary>Host pid of the container's process; 0 when not running.</summary>
    public int Pid { get; init; }
    /// <summary>Null until the process exits. 128+n when killed by signal n.</summary>
    public int? ExitCode { get; init; }
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The process's argv joined for display.</summary>
    public string Command { get; init; } = "";
    public string Hostname { get; init; } = "";
    public bool Rootless { get; init; }
    /// <summary>Created with -Tty: the main process has a PTY, and -Attach connects a terminal to it.</summary>
    public bool Tty { get; init; }
    public string LogPath { get; init; } = "";

    public string ShortId => Id.Length >= 12 ? Id[..12] : Id;

    /// <summary>docker ps style: "Up 3 minutes", "Exited (0) 2 minutes ago", "Created".</summary>
    public string Status
    {
        get
        {
            var now = DateTimeOffset.UtcNow;
            return State switch
            {
                ContainerState.Running when StartedAt is { } s => "Up " + Humanize(now - s),
                ContainerState.Exited when FinishedAt is { } f => $"Exited ({ExitCode}) {Humanize(now - f)} ago",
                ContainerState.Exited => $"Exited ({ExitCode})",
                _ => State.ToString(),
            };
        }
    }

    public override string ToString() => Name;

    internal static string Humanize(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalSeconds < 60) return Plural(Math.Max(1, (int)span.TotalSeconds), "second");
        if (span.TotalMinutes < 60) return Plural((int)span.TotalMinutes, "minute");
        if (span.TotalHours < 48) return Plural((int)span.TotalHours, "hour");
        return Plural((int)span.TotalDays, "day");
    }

    private static string Plural(int n, string unit) => n == 1 ? (unit == "hour" ? "About an hour" : $"1 {unit}") : $"{n} {unit}s";
}
