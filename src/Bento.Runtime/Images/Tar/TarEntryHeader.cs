namespace Bento.Runtime.Images.Tar;

internal enum TarEntryKind
{
    File,
    Directory,
    Symlink,
    HardLink,
    CharDevice,
    BlockDevice,
    Fifo,
    /// <summary>A type this reader does not extract (volume labels, vendor extensions); its data is skipped.</summary>
    Other,
}

/// <summary>One tar member after PAX and GNU long-name headers were folded into it.</summary>
internal sealed class TarEntryHeader
{
    public required string Name { get; init; }
    public string LinkName { get; init; } = "";
    public TarEntryKind Kind { get; init; }
    /// <summary>Permission bits including setuid, setgid and sticky (07777).</summary>
    public uint Mode { get; init; }
    public long Uid { get; init; }
    public long Gid { get; init; }
    public long Size { get; init; }
    public long ModifiedSeconds { get; init; }
    public uint ModifiedNanoseconds { get; init; }
    /// <summary>From a PAX atime record; most archives have none.</summary>
    public long? AccessSeconds { get; init; }
    public uint AccessNanoseconds { get; init; }
    public uint DevMajor { get; init; }
    public uint DevMinor { get; init; }
    /// <summary>Extended attributes from PAX SCHILY.xattr.* records, values as raw bytes (file capabilities are binary).</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>>? Xattrs { get; init; }
    /// <summary>Absolute offset of the member's data in the source stream.</summary>
    public long DataOffset { get; init; }

    public override string ToString() => $"{Kind} {Name}";
}
