namespace Bento.Runtime.Process;

/// <summary>One kind of Linux namespace: its OCI spec name, its CLONE_NEW* flag, its name under /proc/&lt;pid&gt;/ns.</summary>
internal sealed record NamespaceKind(string SpecType, uint CloneFlag, string ProcName);

/// <summary>Every namespace Bento knows, in the one order used to create or join them.</summary>
internal static class Namespaces
{
    public static readonly NamespaceKind User = new("user", 0x10000000, "user");
    public static readonly NamespaceKind Pid = new("pid", 0x20000000, "pid");
    public static readonly NamespaceKind Network = new("network", 0x40000000, "net");
    public static readonly NamespaceKind Ipc = new("ipc", 0x08000000, "ipc");
    public static readonly NamespaceKind Uts = new("uts", 0x04000000, "uts");
    public static readonly NamespaceKind Cgroup = new("cgroup", 0x02000000, "cgroup");
    public static readonly NamespaceKind Mount = new("mount", 0x00020000, "mnt");

    /// <summary>User first: it owns the others, and joining it grants the rights to join them. Mount last: joining
    /// it changes what every later path (such as /proc/&lt;pid&gt;/ns/…) means.</summary>
    public static readonly IReadOnlyList<NamespaceKind> InOrder = [User, Pid, Network, Ipc, Uts, Cgroup, Mount];

    public static NamespaceKind? BySpecType(string type) => InOrder.FirstOrDefault(n => n.SpecType == type);
}
