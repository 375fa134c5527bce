using System.Management.Automation;
using Bento.Runtime.Errors;

namespace Bento.PowerShell.Commands;

/// <summary>Lists images in the store, by name (wildcards) or id.</summary>
[Cmdlet(VerbsCommon.Get, "BentoImage", DefaultParameterSetName = ByName)]
[OutputType(typeof(BentoImage))]
public sealed class GetBentoImageCommand : BentoCmdlet
{
    private const string ByName = "Name";
    private const string ById = "Id";

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.ImageNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ById)]
    public string[] Id { get; set; } = [];

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ById)
        {
            foreach (var id in Id)
            {
                Try(id, () =>
                {
                    var hex = id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;
                    var matches = Runtime.Images.List().Where(i => i.Id[7..].StartsWith(hex, StringComparison.OrdinalIgnoreCase)).ToList();
                    if (hex.Length == 0 || matches.Count == 0) throw BentoErrors.ImageNotFound(id);
                    WriteObject(matches, enumerateCollection: true);
                });
            }
            return;
        }

        Try(null, () =>
        {
            var all = Runtime.Images.List();
            if (Name is null || Name.Length == 0)
            {
                WriteObject(all.OrderBy(i => i.Name, StringComparer.Ordinal), enumerateCollection: true);
                return;
            }
            foreach (var name in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    WriteObject(all.Where(i => pattern.IsMatch(i.Name) || pattern.IsMatch(RepositoryOf(i.Name))), enumerateCollection: true);
                }
                else
                {
                    Try(name, () => WriteObject(Runtime.Images.Get(name)));
                }
            }
        });
    }

    private static string RepositoryOf(string name)
    {
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }
}
