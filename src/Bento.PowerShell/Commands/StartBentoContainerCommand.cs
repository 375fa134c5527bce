using System.Management.Automation;

namespace Bento.PowerShell.Commands;

/// <summary>Starts containers detached; -Attach streams the output and waits like `docker start -a`.</summary>
[Cmdlet(VerbsLifecycle.Start, "BentoContainer", DefaultParameterSetName = ByName)]
[OutputType(typeof(BentoContainer), typeof(string))]
public sealed class StartBentoContainerCommand : ContainerTargetCmdlet
{
    /// <summary>Stream stdout to the output and stderr to the error stream, wait, set $LASTEXITCODE.</summary>
    [Parameter]
    public SwitchParameter Attach { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var container in ResolveTargets())
        {
            Try(container.Name, () =>
            {
                var started = Runtime.Containers.Start(container.Id);
                if (Attach && started.Tty)
                {
                    // A terminal to the container's PTY; Ctrl+P Ctrl+Q detaches and leaves it running.
                    if (Runtime.Containers.Attach(started.Id) is { } code)
                        SessionState.PSVariable.Set("global:LASTEXITCODE", code);
                    if (PassThru) WriteObject(Runtime.Containers.Get(started.Id));
                }
                else if (Attach)
                {
                    var finished = LogStreaming.StreamUntilExit(this, Runtime.Containers, started, CancelToken);
                    if (finished?.ExitCode is { } code)
                        SessionState.PSVariable.Set("global:LASTEXITCODE", code);
                    if (PassThru && finished is not null) WriteObject(finished);
                }
                else if (PassThru)
                {
                    WriteObject(started);
                }
            });
        }
    }
}
