namespace Bento.Runtime.Images.Extraction;

/// <summary>Deletes a directory tree that may hold read-only directories (an unprivileged user cannot unlink
/// inside a 0555 directory even when owning it). Never follows symlinks.</summary>
internal static class TreeRemover
{
    public static void Delete(string path)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
            return;
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            MakeDirectoriesWritable(path);
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Deletes, swallowing failures: for clean-up paths that must not hide the error being reported.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            Delete(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
        }
    }

    private static void MakeDirectoriesWritable(string directory)
    {
        var info = new DirectoryInfo(directory);
        if (OperatingSystem.IsWindows() || info.LinkTarget is not null)
            return;
        try
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return;
        }
        foreach (var child in info.EnumerateDirectories())
        {
            if (child.LinkTarget is null)
                MakeDirectoriesWritable(child.FullName);
        }
    }
}
