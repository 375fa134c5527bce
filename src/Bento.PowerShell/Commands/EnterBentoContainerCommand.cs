using System.Management.Automation;
using Bento.Runtime.Containers;

namespace Bento.PowerShell.Commands;

/// <summary>An interactive shell in a running container on a real PTY; the terminal is restored on exit.</summary>
[Cmdlet(VerbsCommon.Enter, "BentoContainer")]
[OutputType(typeof(void))]
public sealed class EnterBentoContainerCommand : ExecCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.ContainerNameCompleter))]
    [Alias("ContainerName")]
    public string Name { get; set; } = "";

    [Parameter(Position = 1)]
    public string[] Command { get; set; } = ["/bin/sh"];

    protected override void ProcessRecord()
    {
        var options = BuildOptions(Command);
        Try(Name, () =>
        {
            var exitCode = Runtime.Containers.RunInteractive(Name, options);
            SessionState.PSVariable.Set("global:LASTEXITCODE", exitCode);
        });
    }
}
