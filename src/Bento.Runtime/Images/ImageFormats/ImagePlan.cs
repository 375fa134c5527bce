using Bento.Runtime.Images.Sources;

namespace Bento.Runtime.Images.ImageFormats;

/// <summary>One layer to bring into the store: where its blob is and what it must hash to.</summary>
internal sealed class LayerPlan
{
    /// <summary>sha256 of the uncompressed tar, from the config's rootfs.diff_ids; names the layer in the store.</summary>
    public required string DiffId { get; init; }
    public required BlobLocation Blob { get; init; }
    /// <summary>What the blob's own bytes must hash to; null for legacy docker-save layer files, which only the
    /// diff-id vouches for.</summary>
    public string? BlobDigest { get; init; }
    /// <summary>The descriptor's size, when there is a descriptor.</summary>
    public long? BlobSize { get; init; }
}

/// <summary>One image found in a source, with its manifest and config already read and verified.</summary>
internal sealed class ImagePlan
{
    /// <summary>Which image of which source, for messages ("image 2 in busybox.tar").</summary>
    public required string Origin { get; init; }
    /// <summary>Normalised names; empty when the source names the image nowhere.</summary>
    public List<string> Names { get; set; } = [];
    public required byte[] ConfigBytes { get; init; }
    public required string ConfigDigest { get; init; }
    public required ImageConfigFile Config { get; init; }
    /// <summary>The manifest as found; null for legacy docker archives, whose manifest the store writes itself once
    /// the layers' sizes are known.</summary>
    public byte[]? ManifestBytes { get; init; }
    public required IReadOnlyList<LayerPlan> Layers { get; init; }
}
