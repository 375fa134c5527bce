using System.Management.Automation;
using Bento.Runtime.Errors;

namespace Bento.PowerShell.Commands;

/// <summary>Lists containers with their current state (the OCI `state` operation).</summary>
[Cmdlet(VerbsCommon.Get, "BentoContainer", DefaultParameterSetName = ByName)]
[OutputType(typeof(BentoContainer))]
public sealed class GetBentoContainerCommand : BentoCmdlet
{
    private const string ByName = "Name";
    private const string ById = "Id";

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.ContainerNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Full id or a unique prefix.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ById)]
    public string[] Id { get; set; } = [];

    [Parameter]
    public ContainerState[]? State { get; set; }

    protected override void ProcessRecord()
    {
        Try(null, () =>
        {
            IEnumerable<BentoContainer> found = ParameterSetName == ById ? FindByIds() : FindByNames();
            if (State is { Length: > 0 })
                found = found.Where(c => State.Contains(c.State));
            WriteObject(found, enumerateCollection: true);
        });
    }

    private IEnumerable<BentoContainer> FindByIds()
    {
        foreach (var id in Id)
        {
            BentoContainer? match = null;
            Try(id, () =>
            {
                var container = Runtime.Containers.Get(id);
                match = container.Id.StartsWith(id, StringComparison.OrdinalIgnoreCase) ? container : throw BentoErrors.ContainerNotFound(id);
            });
            if (match is not null) yield return match;
        }
    }

    private IEnumerable<BentoContainer> FindByNames() =>
        Name is null || Name.Length == 0
            ? Runtime.Containers.List().OrderByDescending(c => c.Created)
            : ContainersNamed(Name);
}
