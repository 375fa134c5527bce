using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using Bento.Runtime.Containers;

namespace Bento.PowerShell.Commands;

/// <summary>Runs a command in a running container and behaves like a native command: stdout to the output stream,
/// stderr to the error stream, the exit code in $LASTEXITCODE, pipeline input as the command's stdin.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "BentoExec")]
[OutputType(typeof(string), typeof(BentoExecResult))]
public sealed class InvokeBentoExecCommand : ExecCmdletBase
{
    // No pipeline binding on Name: pipeline input is the command's stdin.
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(Completers.ContainerNameCompleter))]
    [Alias("ContainerName")]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromRemainingArguments = true)]
    public string[] Command { get; set; } = [];

    /// <summary>Return one object (ExitCode, Output, Error, Duration) instead of streaming.</summary>
    [Parameter]
    public SwitchParameter AsResult { get; set; }

    /// <summary>Lines written to the command's stdin.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    private ExecProcess? _process;
    private readonly Stopwatch _clock = new();
    private readonly List<string> _output = [];
    private readonly List<string> _error = [];

    protected override void BeginProcessing()
    {
        var options = BuildOptions(Command);
        _clock.Start();
        TryOrThrow(Name, () => _process = Runtime.Containers.StartExec(Name, options));
        if (!MyInvocation.ExpectingInput)
            _process!.StandardInput.Dispose();
    }

    protected override void ProcessRecord()
    {
        if (_process is null || InputObject is null || !MyInvocation.ExpectingInput)
            return;
        var text = InputObject.BaseObject is string s ? s : InputObject.ToString();
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        try
        {
            _process.StandardInput.Write(bytes);
        }
        catch (IOException)
        {
            // The command stopped reading; like a native command, the rest of the input is dropped.
        }
        while (_process.TryReadOutput(out var line))
            Emit(line);
    }

    protected override void EndProcessing()
    {
        if (_process is null)
            return;
        _process.StandardInput.Dispose();
        foreach (var line in _process.ReadOutput(CancelToken))
            Emit(line);
        var exitCode = _process.WaitForExit();
        _clock.Stop();
        if (AsResult)
        {
            WriteObject(new BentoExecResult(exitCode, [.. _output], [.. _error], _clock.Elapsed));
        }
        SessionState.PSVariable.Set("global:LASTEXITCODE", exitCode);
        _process.Dispose();
        _process = null;
    }

    protected override void StopProcessing()
    {
        // Ctrl+C ends the exec'd command, never the container.
        _process?.Kill();
        base.StopProcessing();
    }

    private void Emit(ExecOutputLine line)
    {
        if (AsResult)
        {
            (line.IsError ? _error : _output).Add(line.Line);
            return;
        }
        if (line.IsError)
            WriteError(new ErrorRecord(new ContainerStderrException(line.Line), "ContainerStderr", ErrorCategory.NotSpecified, Name));
        else
            WriteObject(line.Line);
    }
}
