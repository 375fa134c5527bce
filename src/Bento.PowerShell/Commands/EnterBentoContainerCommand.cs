using System.Collections;
using System.Management.Automation;
using Bento.Runtime.Containers;

namespace Bento.PowerShell.Commands;

/// <summary>An interactive shell in a running container on a real PTY; the terminal is restored on exit.</summary>
[Cmdlet(VerbsCommon.Enter, "BentoContainer")]
[OutputType(typeof(void))]
public sealed class EnterBentoContainerCommand : BentoCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.ContainerNameCompleter))]
    [Alias("ContainerName")]
    public string Name { get; set; } = "";

    [Parameter(Position = 1)]
    public string[] Command { get; set; } = ["/bin/sh"];

    [Parameter]
    public string? User { get; set; }

    [Parameter]
    [Alias("WorkDir")]
    public string? WorkingDirectory { get; set; }

    [Parameter]
    [Alias("Env")]
    public Hashtable? Environment { get; set; }

    protected override void ProcessRecord()
    {
        var options = new ExecOptions
        {
            Command = Command,
            Environment = Hashtables.ToDictionary(Environment),
            User = User,
            WorkingDirectory = WorkingDirectory,
        };
        Try(Name, () =>
        {
            var exitCode = Runtime.Containers.RunInteractive(Name, options);
            SessionState.PSVariable.Set("global:LASTEXITCODE", exitCode);
        });
    }
}
