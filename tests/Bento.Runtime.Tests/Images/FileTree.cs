using System.Security.Cryptography;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Tests.Images;

/// <summary>Describes a directory tree line by line (path, type, mode, owner, size, link target, content hash), as
/// `find` sees it, so two trees can be compared entry for entry.</summary>
internal static class FileTree
{
    public static List<string> Describe(string root, bool withDirectoryTimes = false)
    {
        var format = withDirectoryTimes ? "%P|%y|%m|%U|%G|%s|%l|%T@\n" : "%P|%y|%m|%U|%G|%s|%l\n";
        var lines = ExternalTool.Run("find", root, "-mindepth", "1", "-printf", format)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line =>
            {
                var fields = line.Split('|');
                if (fields[1] == "d")
                    fields[5] = "-"; // directory sizes depend on the file system, not the content
                if (fields[1] == "f")
                    fields[5] += ":" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(root, fields[0]))))[..16];
                return string.Join('|', fields);
            })
            .Order(StringComparer.Ordinal)
            .ToList();
        return lines;
    }

    /// <summary>"c 0 0" for an overlay whiteout, as `stat` reports a character device's major and minor.</summary>
    public static string TypeAndDevice(string path) => ExternalTool.Run("stat", "-c", "%F %t %T", path).Trim();

    public static unsafe string? Xattr(string path, string name)
    {
        var buffer = stackalloc byte[256];
        var length = Libc.lgetxattr(path, name, buffer, 256);
        return length < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, (int)length);
    }
}
