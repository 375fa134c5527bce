using System.Management.Automation;

namespace Bento.PowerShell.Commands;

/// <summary>Deletes containers and their own writes; a running one only with -Force.</summary>
[Cmdlet(VerbsCommon.Remove, "BentoContainer", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
[OutputType(typeof(void))]
public sealed class RemoveBentoContainerCommand : ContainerTargetCmdlet
{
    /// <summary>Kill a running container first.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var container in ResolveTargets())
        {
            if (!ShouldProcess(Describe(container), "Remove container"))
                continue;
            Try(container.Name, () => Runtime.Containers.Remove(container.Id, Force));
        }
    }
}
