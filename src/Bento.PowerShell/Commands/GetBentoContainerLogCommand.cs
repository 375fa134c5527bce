using System.Management.Automation;

namespace Bento.PowerShell.Commands;

/// <summary>The main process's stdout (output stream) and stderr (error stream) as recorded by its monitor.</summary>
[Cmdlet(VerbsCommon.Get, "BentoContainerLog", DefaultParameterSetName = ByName)]
[OutputType(typeof(string))]
public sealed class GetBentoContainerLogCommand : ContainerTargetCmdlet
{
    /// <summary>Only the last N lines.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Tail { get; set; }

    /// <summary>Keep streaming until the container exits (or Ctrl+C).</summary>
    [Parameter]
    public SwitchParameter Follow { get; set; }

    /// <summary>Prefix each line with its RFC 3339 time.</summary>
    [Parameter]
    public SwitchParameter Timestamps { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var container in ResolveTargets())
        {
            Try(container.Name, () =>
            {
                foreach (var entry in Runtime.Containers.ReadLog(container.Id, Tail, Follow, CancelToken))
                    LogStreaming.Write(this, container, entry, Timestamps);
            });
        }
    }
}
