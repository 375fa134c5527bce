namespace Bento;

/// <summary>An image in the store, as emitted on the pipeline. A snapshot: re-read by Id.</summary>
public sealed class BentoImage
{
    /// <summary>repo:tag</summary>
    public required string Name { get; init; }
    /// <summary>Config digest, sha256:…</summary>
    public required string Id { get; init; }
    /// <summary>Manifest digest, sha256:…</summary>
    public required string Digest { get; init; }
    /// <summary>Sum of the layers' uncompressed sizes, in bytes.</summary>
    public long Size { get; init; }
    public DateTimeOffset? Created { get; init; }
    public string Architecture { get; init; } = "";
    public string Os { get; init; } = "";
    /// <summary>Layer diff-ids (sha256 of the uncompressed layer), bottom first.</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];
    public string[]? Entrypoint { get; init; }
    public string[]? Cmd { get; init; }
    public string[] Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string ShortId => Id.Length > 19 ? Id[7..19] : Id;

    public override string ToString() => Name;
}
