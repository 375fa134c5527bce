using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.RootFs;

/// <summary>The container's root: an overlay of the image's shared layers (read-only) and its own upper dir.</summary>
internal static class Overlay
{
    /// <summary>The mount data: the kernel takes one page of it, so layers living in one directory are named
    /// relative to it (the caller chdir's there) rather than by their long absolute paths.</summary>
    public static (string? WorkingDirectory, string Data) Options(IReadOnlyList<string> lowerDirsBottomFirst, string upper, string work, bool inUserNamespace)
    {
        if (lowerDirsBottomFirst.Count == 0)
            throw new InitStepException(InitStep.Overlay, Libc.EINVAL, "the image has no layers");
        var topFirst = lowerDirsBottomFirst.Reverse().ToList();
        foreach (var path in topFirst.Append(upper).Append(work))
        {
            if (path.Contains(',') || path.Contains(':'))
                throw new InitStepException(InitStep.Overlay, Libc.EINVAL, $"the path '{path}' holds ',' or ':', which overlay options cannot carry");
        }
        var parents = topFirst.Select(Path.GetDirectoryName).Distinct().ToList();
        string? workingDirectory = null;
        var lower = string.Join(':', topFirst);
        if (parents.Count == 1 && parents[0] is { Length: > 0 } common)
        {
            workingDirectory = common;
            lower = string.Join(':', topFirst.Select(Path.GetFileName));
        }
        // userxattr: in a user namespace overlay keeps its whiteouts and opaque markers in user.overlay.* xattrs.
        var data = $"lowerdir={lower},upperdir={upper},workdir={work}" + (inUserNamespace ? ",userxattr" : "");
        return (workingDirectory, data);
    }

    public static void Mount(string target, IReadOnlyList<string> lowerDirsBottomFirst, string upper, string work, bool inUserNamespace)
    {
        var (directory, data) = Options(lowerDirsBottomFirst, upper, work, inUserNamespace);
        if (directory is not null && Libc.chdir(directory) != 0)
            throw InitStepException.LastError(InitStep.Overlay, $"chdir to the layer directory '{directory}'");
        try
        {
            if (Libc.mount("overlay", target, "overlay", 0, data) != 0)
                throw InitStepException.LastError(InitStep.Overlay, $"mount overlay on '{target}'");
        }
        finally
        {
            Libc.chdir("/");
        }
    }
}
