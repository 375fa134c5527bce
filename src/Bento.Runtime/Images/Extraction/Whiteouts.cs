namespace Bento.Runtime.Images.Extraction;

/// <summary>
/// OCI layers mark deletions with ".wh.&lt;name&gt;" entries and "this directory replaces the lower one" with
/// ".wh..wh..opq". The store keeps layers as overlayfs lower directories, so both are written in overlay's own
/// form at extraction time: a 0/0 character device for a deleted name, and an "opaque" xattr on the directory.
/// </summary>
internal static class Whiteouts
{
    public const string Prefix = ".wh.";
    public const string OpaqueMarker = ".wh..wh..opq";
    /// <summary>aufs bookkeeping (".wh..wh.plnk", ".wh..wh.aufs") that some old docker layers carry; never content.</summary>
    public const string MetadataPrefix = ".wh..wh.";

    /// <summary>Root can set trusted.* xattrs, which overlay reads by default; a rootless container mounts overlay with
    /// "userxattr" (Linux 5.11+), which reads user.overlay.* instead.</summary>
    public static string OpaqueXattr(bool privileged) => privileged ? "trusted.overlay.opaque" : "user.overlay.opaque";

    public static bool IsWhiteout(string leaf) => leaf.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>True for the overlay xattrs this store writes itself; a layer may not bring its own (they could
    /// redirect lookups or hide files in ways the layer's tar does not show).</summary>
    public static bool IsReservedXattr(string name) =>
        name.StartsWith("trusted.overlay.", StringComparison.Ordinal) || name.StartsWith("user.overlay.", StringComparison.Ordinal);

    public enum Kind
    {
        /// <summary>".wh.&lt;name&gt;": hide &lt;name&gt; of the lower layers.</summary>
        Delete,
        /// <summary>".wh..wh..opq": hide everything the lower layers have in this directory.</summary>
        Opaque,
        /// <summary>Other ".wh..wh." names: ignored.</summary>
        Metadata,
    }

    /// <summary>Classifies a whiteout leaf; for <see cref="Kind.Delete"/>, <paramref name="hiddenName"/> is what it hides.
    /// Returns a reason instead when the name is one a whiteout may not have.</summary>
    public static Kind Classify(string leaf, out string hiddenName, out string? unsafeReason)
    {
        hiddenName = "";
        unsafeReason = null;
        if (leaf == OpaqueMarker)
            return Kind.Opaque;
        if (leaf.StartsWith(MetadataPrefix, StringComparison.Ordinal))
            return Kind.Metadata;
        hiddenName = leaf[Prefix.Length..];
        if (hiddenName.Length == 0)
            unsafeReason = "it is a whiteout that names nothing";
        else if (hiddenName is "." or "..")
            unsafeReason = $"it is a whiteout of '{hiddenName}'";
        return Kind.Delete;
    }
}
