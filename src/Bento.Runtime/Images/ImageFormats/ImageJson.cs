using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bento.Runtime.Errors;
using Bento.Runtime.Images.Sources;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Images.ImageFormats;

/// <summary>Reading the JSON documents of an image from an untrusted source: bounded, verified, parsed without
/// reflection.</summary>
internal static class ImageJson
{
    public static T Parse<T>(byte[] json, JsonTypeInfo<T> type, string what) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new ImageFormatException($"{what} is empty (JSON null).");
        }
        catch (JsonException e)
        {
            throw new ImageFormatException($"{what} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The blob a descriptor points at in an OCI layout, after checking its size and sha256.</summary>
    public static byte[] ReadVerifiedBlob(ImageSource source, OciDescriptor descriptor, string what)
    {
        var location = LocateBlob(source, descriptor.Digest, what);
        if (descriptor.Size > 0 && location.Length != descriptor.Size)
            throw BentoErrors.DigestMismatch($"{what} {descriptor.Digest}", $"{descriptor.Size} bytes", $"{location.Length} bytes");
        var bytes = source.ReadAll(location, what);
        Verify(bytes, descriptor.Digest!, what);
        return bytes;
    }

    public static BlobLocation LocateBlob(ImageSource source, string? digest, string what)
    {
        return source.Get(BlobPath(Checked(digest, what)), what);
    }

    public static bool HasBlob(ImageSource source, string? digest, string what) => source.Exists(BlobPath(Checked(digest, what)));

    private static string Checked(string? digest, string what) => Digests.IsValid(digest)
        ? digest!
        : throw new ImageFormatException($"{what} has an invalid digest '{digest}' (expected sha256: and 64 lowercase hex digits).");

    public static string BlobPath(string digest) => "blobs/sha256/" + Digests.Hex(digest);

    public static void Verify(ReadOnlySpan<byte> bytes, string expected, string what)
    {
        var actual = Digests.Of(bytes);
        if (actual != expected)
            throw BentoErrors.DigestMismatch(what, expected, actual);
    }

    /// <summary>The config, checked for what the store relies on: a diff-id per layer, each a well-formed digest.</summary>
    public static ImageConfigFile ParseConfig(byte[] bytes, int layerCount, string what)
    {
        var config = Parse(bytes, ImageJsonContext.Default.ImageConfigFile, what);
        var diffIds = config.RootFs?.DiffIds ?? throw new ImageFormatException($"{what} has no rootfs.diff_ids.");
        if (diffIds.Count != layerCount)
            throw new ImageFormatException($"{what} lists {diffIds.Count} layer diff-ids but the manifest has {layerCount} layers.");
        foreach (var diffId in diffIds)
        {
            if (!Digests.IsValid(diffId))
                throw new ImageFormatException($"{what} has an invalid layer diff-id '{diffId}'.");
        }
        return config;
    }
}
