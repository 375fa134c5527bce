namespace Bento;

/// <summary>What Invoke-BentoExec -AsResult returns: the whole run in one object.</summary>
public sealed class BentoExecResult(int exitCode, string[] output, string[] error, TimeSpan duration)
{
    public int ExitCode { get; } = exitCode;
    public string[] Output { get; } = output;
    public string[] Error { get; } = error;
    public TimeSpan Duration { get; } = duration;

    public override string ToString() => string.Join("\n", Output);
}
