namespace Bento.Runtime.RootFs;

/// <summary>The minimal /dev every container gets (the OCI runtime spec's default devices).</summary>
internal static class DeviceNodes
{
    /// <summary>Bound from the host's /dev rather than made with mknod: a user namespace may not mknod, and the same
    /// path for root keeps one behaviour to test. These nodes are harmless by design; no other host device is.</summary>
    public static readonly IReadOnlyList<string> BoundFromHost = ["null", "zero", "full", "random", "urandom", "tty"];

    /// <summary>name → target, relative to /dev.</summary>
    public static readonly IReadOnlyList<(string Name, string Target)> Symlinks =
    [
        ("ptmx", "pts/ptmx"),
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ];
}
