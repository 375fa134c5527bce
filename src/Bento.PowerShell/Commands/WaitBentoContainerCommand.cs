using System.Management.Automation;

namespace Bento.PowerShell.Commands;

/// <summary>Blocks until containers exit and outputs them (with ExitCode).</summary>
[Cmdlet(VerbsLifecycle.Wait, "BentoContainer", DefaultParameterSetName = ByName)]
[OutputType(typeof(BentoContainer))]
public sealed class WaitBentoContainerCommand : ContainerTargetCmdlet
{
    /// <summary>Seconds; waits for ever when omitted.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Timeout { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var container in ResolveTargets())
        {
            Try(container.Name, () =>
            {
                var timeout = Timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
                var finished = Runtime.Containers.Wait(container.Id, timeout, CancelToken);
                if (finished is null)
                {
                    WriteError(new ErrorRecord(new TimeoutException($"Container '{container.Name}' was still running after {Timeout} seconds."),
                        "WaitTimeout", ErrorCategory.OperationTimeout, container.Name));
                    return;
                }
                WriteObject(finished);
            });
        }
    }
}
