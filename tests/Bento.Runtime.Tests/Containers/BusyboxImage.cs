using System.Diagnostics;
using Bento.Runtime.Images;

namespace Bento.Runtime.Tests.Containers;

/// <summary>A one-layer image made from the host's static busybox (Debian's busybox-static): /bin/busybox, a
/// symlink per applet, /etc/passwd and /etc/group with root and an ordinary user.</summary>
internal static class BusyboxImage
{
    public const string Name = "busybox:test";
    public const uint OrdinaryUid = 1000;

    public static void StageRootFs(string directory)
    {
        var bin = Path.Combine(directory, "bin");
        Directory.CreateDirectory(bin);
        File.Copy("/bin/busybox", Path.Combine(bin, "busybox"));
        foreach (var applet in Applets())
        {
            var link = Path.Combine(bin, applet);
            if (applet != "busybox" && !File.Exists(link))
                File.CreateSymbolicLink(link, "busybox");
        }
        var etc = Path.Combine(directory, "etc");
        Directory.CreateDirectory(etc);
        File.WriteAllText(Path.Combine(etc, "passwd"), "root:x:0:0:root:/root:/bin/sh\nbento:x:1000:1000:bento:/home/bento:/bin/sh\n");
        File.WriteAllText(Path.Combine(etc, "group"), "root:x:0:\ntty:x:5:\nbento:x:1000:\nextra:x:1500:bento\n");
        foreach (var dir in new[] { "tmp", "root", "home/bento", "proc", "sys", "dev" })
            Directory.CreateDirectory(Path.Combine(directory, dir));
        File.SetUnixFileMode(Path.Combine(directory, "tmp"), (UnixFileMode)0b1_111_111_111);
    }

    public static NewImageOptions Options => new()
    {
        Command = ["sh"],
        Environment = new Dictionary<string, string> { ["PATH"] = "/bin", ["IMAGE_VAR"] = "from-image" },
    };

    private static IEnumerable<string> Applets()
    {
        var start = new ProcessStartInfo("/bin/busybox", "--list") { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var names = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        return names;
    }
}
