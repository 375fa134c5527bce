namespace Bento.Runtime.Images.Extraction;

/// <summary>Turns a tar member name into a path relative to the layer root, or says why it may not be one.</summary>
internal static class LayerPath
{
    /// <summary>"" is the layer root. Returns null and a reason for names that would leave the layer.</summary>
    public static string? Normalize(string name, out string? unsafeReason)
    {
        unsafeReason = null;
        if (name.Contains('\0'))
        {
            unsafeReason = "the name contains a NUL character";
            return null;
        }
        if (name.StartsWith('/'))
        {
            // umoci names the layer root "/" when content is inserted at the top; anything below it is refused.
            if (name.Split('/').All(part => part is "" or "."))
                return "";
            unsafeReason = "it is an absolute path";
            return null;
        }
        if (IsAlreadyNormal(name))
            return name;

        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
                continue;
            if (part == "..")
            {
                unsafeReason = "it has a '..' component";
                return null;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>The common case, "usr/bin/env": no leading "./", no empty, "." or ".." components.</summary>
    private static bool IsAlreadyNormal(string name)
    {
        if (name.Length == 0 || name[^1] == '/')
            return false;
        var start = 0;
        while (start <= name.Length)
        {
            var end = name.IndexOf('/', start);
            if (end < 0)
                end = name.Length;
            var length = end - start;
            if (length == 0 || (length == 1 && name[start] == '.') || (length == 2 && name[start] == '.' && name[start + 1] == '.'))
                return false;
            start = end + 1;
        }
        return true;
    }

    public static (string Parent, string Leaf) Split(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? ("", path) : (path[..slash], path[(slash + 1)..]);
    }

    public static string Join(string parent, string leaf) => parent.Length == 0 ? leaf : parent + "/" + leaf;

    /// <summary>Every proper ancestor of <paramref name="path"/>, outermost first ("a", "a/b" for "a/b/c").</summary>
    public static IEnumerable<string> Ancestors(string path)
    {
        for (var slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
            yield return path[..slash];
    }

    public static int Depth(string path) => path.Length == 0 ? 0 : path.Count(c => c == '/') + 1;
}
