using System.Text.RegularExpressions;

namespace Bento.Runtime.Images;

/// <summary>
/// Image names as the store keeps them: "repo:tag" in Docker's familiar form, so "docker.io/library/busybox" is
/// stored and shown as "busybox:latest" whichever way an archive or a user spelled it.
/// </summary>
internal static partial class ImageReference
{
    public const string DefaultTag = "latest";

    // The distribution reference grammar, split where Docker splits it: an optional registry host[:port], then
    // lowercase path components and an optional tag.
    [GeneratedRegex(@"^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?\z")]
    private static partial Regex DomainGrammar();

    [GeneratedRegex(@"^(?<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?\z")]
    private static partial Regex PathAndTagGrammar();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z")]
    private static partial Regex TagGrammar();

    private static readonly string[] DockerHubHosts = ["docker.io", "index.docker.io", "registry-1.docker.io"];

    /// <summary>"name[:tag]" → "name:tag" in familiar form, or null with a reason when it is not a valid name.</summary>
    public static string? Normalize(string? input, out string? error)
    {
        error = null;
        var text = input?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "an image name cannot be empty";
            return null;
        }
        if (text.Contains('@'))
        {
            error = $"'{text}' is a digest reference; give a name with a tag (repo:tag)";
            return null;
        }
        // As in Docker, the first component is a registry only when it looks like a host: it has a dot or a port,
        // or is localhost. "library/busybox" is a path.
        string? domain = null;
        var rest = text;
        var firstSlash = text.IndexOf('/');
        if (firstSlash > 0)
        {
            var first = text[..firstSlash];
            if (first.Contains('.') || first.Contains(':') || first == "localhost")
            {
                domain = first;
                rest = text[(firstSlash + 1)..];
            }
        }
        var match = PathAndTagGrammar().Match(rest);
        if ((domain is not null && !DomainGrammar().IsMatch(domain)) || !match.Success)
        {
            var repository = rest.Split(':')[0];
            error = repository.Any(char.IsUpper)
                ? $"'{text}' is not a valid image name: repository names must be lowercase"
                : $"'{text}' is not a valid image name (expected repo[:tag], e.g. 'busybox:latest')";
            return null;
        }
        var path = match.Groups["path"].Value;
        var tag = match.Groups["tag"].Success ? match.Groups["tag"].Value : DefaultTag;

        if (domain is not null && DockerHubHosts.Contains(domain.ToLowerInvariant()))
            domain = null;
        if (domain is null && path.StartsWith("library/", StringComparison.Ordinal) && path.IndexOf('/', "library/".Length) < 0)
            path = path["library/".Length..];
        return (domain is null ? path : domain + "/" + path) + ":" + tag;
    }

    public static bool IsTag(string text) => TagGrammar().IsMatch(text);

    /// <summary>A repository name made from a file or folder name ("Busybox v1.tar" → "busybox-v1").</summary>
    public static string RepositoryFromFileName(string path)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        foreach (var extension in new[] { ".tar.gz", ".tar.zst", ".tgz", ".tar", ".oci", ".gz", ".zst" })
        {
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && name.Length > extension.Length)
            {
                name = name[..^extension.Length];
                break;
            }
        }
        var chars = name.ToLowerInvariant().Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-').ToArray();
        var cleaned = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return cleaned.Length == 0 ? "image" : cleaned;
    }
}
