using System.Management.Automation;

namespace Bento.PowerShell;

/// <summary>Shared parameter handling of the container cmdlets that take -Name or a container by pipeline.</summary>
public abstract class ContainerTargetCmdlet : BentoCmdlet
{
    protected const string ByName = "Name";
    protected const string ByInputObject = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName)]
    [ArgumentCompleter(typeof(Completers.ContainerNameCompleter))]
    [Alias("ContainerName")]
    public string[] Name { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByInputObject)]
    public BentoContainer[] InputObject { get; set; } = [];

    /// <summary>Current snapshots of the targeted containers; unknown names become ContainerNotFound errors.</summary>
    protected IEnumerable<BentoContainer> ResolveTargets()
    {
        if (ParameterSetName == ByInputObject)
        {
            foreach (var given in InputObject)
            {
                BentoContainer? current = null;
                Try(given.Name, () => current = Runtime.Containers.Get(given.Id));
                if (current is not null) yield return current;
            }
            yield break;
        }

        foreach (var container in ContainersNamed(Name))
            yield return container;
    }
}
