using System.Diagnostics;

namespace Bento.Runtime.Tests.Images;

/// <summary>Runs the real tools the image fixtures come from (umoci, skopeo, tar, mount).</summary>
internal static class ExternalTool
{
    public static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        System.Diagnostics.Process process;
        try
        {
            process = System.Diagnostics.Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{program}' is not installed; the image tests need Debian's umoci, skopeo and busybox-static packages ({e.Message}).", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in 2 minutes.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}");
            return stdout;
        }
    }
}
