using System.Management.Automation;

namespace Bento.PowerShell.Commands;

/// <summary>SIGTERM, then SIGKILL after -Timeout seconds; -Force kills at once (the OCI `kill`).</summary>
[Cmdlet(VerbsLifecycle.Stop, "BentoContainer", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
[OutputType(typeof(BentoContainer))]
public sealed class StopBentoContainerCommand : ContainerTargetCmdlet
{
    /// <summary>Seconds to wait after SIGTERM before SIGKILL.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Timeout { get; set; } = 10;

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var container in ResolveTargets())
        {
            if (!ShouldProcess(Describe(container), Force ? "Kill container" : "Stop container"))
                continue;
            Try(container.Name, () =>
            {
                var stopped = Runtime.Containers.Stop(container.Id, TimeSpan.FromSeconds(Timeout), Force);
                if (PassThru) WriteObject(stopped);
            });
        }
    }
}
