using System.Diagnostics;
using System.Security.Cryptography;

namespace Bento.Runtime.Tests.Exec;

/// <summary>A real terminal for the tests: a tmux server of its own (private socket), one session, driven with
/// send-keys, read with capture-pane.</summary>
internal sealed class Tmux : IDisposable
{
    private readonly string _socket = "bento-test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    public const string Session = "t";

    public Tmux(string command, int columns, int rows)
    {
        Run("new-session", "-d", "-s", Session, "-x", columns.ToString(), "-y", rows.ToString(), command);
        // The pane keeps the size it was made with, whatever the (absent) client's size is.
        Run("set-option", "-g", "window-size", "manual");
    }

    public void SendKeys(params string[] keys) => Run(["send-keys", "-t", Session, .. keys]);

    /// <summary>Literal text, then Enter.</summary>
    public void Type(string line)
    {
        Run("send-keys", "-t", Session, "-l", line);
        Run("send-keys", "-t", Session, "Enter");
    }

    public void Resize(int columns, int rows) => Run("resize-window", "-t", Session, "-x", columns.ToString(), "-y", rows.ToString());

    public string Screen() => Run("capture-pane", "-p", "-t", Session);

    /// <summary>Waits until the screen satisfies <paramref name="condition"/>; fails with the screen otherwise.</summary>
    public string WaitFor(Func<string, bool> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var screen = "";
        while (DateTime.UtcNow < deadline)
        {
            screen = Screen();
            if (condition(screen))
                return screen;
            Thread.Sleep(100);
        }
        throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}. The screen:\n{screen}");
    }

    private string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"tmux {string.Join(' ', arguments)} failed: {error}");
        return output;
    }

    public void Dispose()
    {
        try { Run("kill-server"); } catch (InvalidOperationException) { }
    }
}
