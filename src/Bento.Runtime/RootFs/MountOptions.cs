using Bento.Runtime.Interop;

namespace Bento.Runtime.RootFs;

/// <summary>An OCI mount's "options" list split into what mount(2) takes as flags and what it takes as data.</summary>
internal readonly record struct MountOptions(ulong Flags, ulong ClearedFlags, ulong Propagation, string? Data)
{
    public bool IsBind => (Flags & Libc.MS_BIND) != 0;
    public bool IsRecursive => (Flags & Libc.MS_REC) != 0;
    public bool IsReadOnly => (Flags & Libc.MS_RDONLY) != 0;

    /// <summary>The per-mount flags a bind mount can only get afterwards, as mount_setattr attributes.</summary>
    public ulong BindAttributes =>
        ((Flags & Libc.MS_RDONLY) != 0 ? Libc.MOUNT_ATTR_RDONLY : 0) |
        ((Flags & Libc.MS_NOSUID) != 0 ? Libc.MOUNT_ATTR_NOSUID : 0) |
        ((Flags & Libc.MS_NODEV) != 0 ? Libc.MOUNT_ATTR_NODEV : 0) |
        ((Flags & Libc.MS_NOEXEC) != 0 ? Libc.MOUNT_ATTR_NOEXEC : 0);

    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagNames = new()
    {
        ["ro"] = (false, Libc.MS_RDONLY), ["rw"] = (true, Libc.MS_RDONLY),
        ["nosuid"] = (false, Libc.MS_NOSUID), ["suid"] = (true, Libc.MS_NOSUID),
        ["nodev"] = (false, Libc.MS_NODEV), ["dev"] = (true, Libc.MS_NODEV),
        ["noexec"] = (false, Libc.MS_NOEXEC), ["exec"] = (true, Libc.MS_NOEXEC),
        ["sync"] = (false, Libc.MS_SYNCHRONOUS), ["async"] = (true, Libc.MS_SYNCHRONOUS),
        ["dirsync"] = (false, Libc.MS_DIRSYNC),
        ["remount"] = (false, Libc.MS_REMOUNT),
        ["mand"] = (false, Libc.MS_MANDLOCK), ["nomand"] = (true, Libc.MS_MANDLOCK),
        ["noatime"] = (false, Libc.MS_NOATIME), ["atime"] = (true, Libc.MS_NOATIME),
        ["nodiratime"] = (false, Libc.MS_NODIRATIME), ["diratime"] = (true, Libc.MS_NODIRATIME),
        ["relatime"] = (false, Libc.MS_RELATIME), ["norelatime"] = (true, Libc.MS_RELATIME),
        ["strictatime"] = (false, Libc.MS_STRICTATIME), ["nostrictatime"] = (true, Libc.MS_STRICTATIME),
        ["bind"] = (false, Libc.MS_BIND), ["rbind"] = (false, Libc.MS_BIND | Libc.MS_REC),
    };

    private static readonly Dictionary<string, ulong> PropagationNames = new()
    {
        ["private"] = Libc.MS_PRIVATE, ["rprivate"] = Libc.MS_PRIVATE | Libc.MS_REC,
        ["shared"] = Libc.MS_SHARED, ["rshared"] = Libc.MS_SHARED | Libc.MS_REC,
        ["slave"] = Libc.MS_SLAVE, ["rslave"] = Libc.MS_SLAVE | Libc.MS_REC,
        ["unbindable"] = Libc.MS_UNBINDABLE, ["runbindable"] = Libc.MS_UNBINDABLE | Libc.MS_REC,
    };

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        ulong flags = 0, cleared = 0, propagation = 0;
        var data = new List<string>();
        foreach (var option in options ?? [])
        {
            if (FlagNames.TryGetValue(option, out var known))
            {
                if (known.Clear) { flags &= ~known.Flag; cleared |= known.Flag; }
                else { flags |= known.Flag; cleared &= ~known.Flag; }
            }
            else if (PropagationNames.TryGetValue(option, out var kind))
            {
                propagation = kind;
            }
            else
            {
                data.Add(option);
            }
        }
        return new MountOptions(flags, cleared, propagation, data.Count == 0 ? null : string.Join(',', data));
    }
}
