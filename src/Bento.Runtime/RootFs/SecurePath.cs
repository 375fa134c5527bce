namespace Bento.Runtime.RootFs;

/// <summary>
/// Joins a path from a spec to the container's root the way the container will see it: symlinks in the image are
/// followed as if the root were "/" and never lead out of it (a layer may hold /proc → /host/etc; mounting there
/// must not mount on the host). Components that do not exist yet are appended as they are.
/// </summary>
internal static class SecurePath
{
    private const int MaxSymlinks = 255;

    public static string Join(string root, string unsafePath)
    {
        var resolved = new List<string>();
        var pending = new Stack<string>(Components(unsafePath).Reverse());
        var followed = 0;
        while (pending.Count > 0)
        {
            var component = pending.Pop();
            if (component == ".")
                continue;
            if (component == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = Path.Combine(root, Path.Combine([.. resolved, component]));
            var linkTarget = new FileInfo(candidate).LinkTarget;
            if (linkTarget is null)
            {
                resolved.Add(component);
                continue;
            }
            if (++followed > MaxSymlinks)
                throw new IOException($"Too many symbolic links resolving '{unsafePath}' in the container.");
            // An absolute target restarts from the container's root, a relative one from the link's directory.
            if (linkTarget.StartsWith('/'))
                resolved.Clear();
            foreach (var part in Components(linkTarget).Reverse())
                pending.Push(part);
        }
        return resolved.Count == 0 ? root : Path.Combine(root, Path.Combine([.. resolved]));
    }

    private static IEnumerable<string> Components(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
