using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Bento.Runtime.Storage;

/// <summary>sha256 digests: the only way an untrusted string becomes a store path is through <see cref="Hex"/>.</summary>
public static partial class Digests
{
    // \z, not $: $ also matches before a final newline, which must never reach a path.
    [GeneratedRegex(@"^sha256:[0-9a-f]{64}\z")]
    private static partial Regex Sha256Grammar();

    public static bool IsValid(string? digest) => digest is not null && Sha256Grammar().IsMatch(digest);

    /// <summary>The 64 hex characters of a digest; throws if the digest is not well formed.</summary>
    public static string Hex(string digest)
    {
        if (!IsValid(digest))
            throw new FormatException($"'{digest}' is not a sha256 digest (sha256: followed by 64 lowercase hex digits).");
        return digest["sha256:".Length..];
    }

    public static string Of(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static string FromHash(byte[] hash) => "sha256:" + Convert.ToHexStringLower(hash);
}
