namespace Bento.Runtime.Containers;

/// <summary>state.json: what the container is doing. Written atomically by Create, by the monitor and, when the
/// monitor vanished, by the first reader that notices (see <see cref="ContainerLiveness"/>).</summary>
internal sealed class ContainerStateRecord
{
    public ContainerState Status { get; set; } = ContainerState.Created;
    /// <summary>Host pid of the container's first process while it runs.</summary>
    public int Pid { get; set; }
    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat, in clock ticks since boot: with the boot id it tells a recycled pid apart.</summary>
    public ulong PidStartTime { get; set; }
    /// <summary>The monitor (bento-shim run) that owns the container's process, and its start time.</summary>
    public int MonitorPid { get; set; }
    public ulong MonitorStartTime { get; set; }
    /// <summary>/proc/sys/kernel/random/boot_id when the container started: pids mean nothing after a reboot.</summary>
    public string? BootId { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int? ExitCode { get; set; }
    /// <summary>Why the exit was recorded by someone other than the monitor, e.g. "monitor-lost" or "host-rebooted".</summary>
    public string? ExitReason { get; set; }
}
