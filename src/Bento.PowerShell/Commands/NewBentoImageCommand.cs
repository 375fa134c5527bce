using System.Collections;
using System.Management.Automation;
using Bento.Runtime.Images;

namespace Bento.PowerShell.Commands;

/// <summary>Makes a one-layer image from a directory, like `docker import`.</summary>
[Cmdlet(VerbsCommon.New, "BentoImage", SupportsShouldProcess = true)]
[OutputType(typeof(BentoImage))]
public sealed class NewBentoImageCommand : BentoCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string Path { get; set; } = "";

    [Parameter]
    public string[]? Command { get; set; }

    [Parameter]
    public string[]? Entrypoint { get; set; }

    [Parameter]
    public Hashtable? Environment { get; set; }

    [Parameter]
    [Alias("WorkDir")]
    public string? WorkingDirectory { get; set; }

    protected override void ProcessRecord()
    {
        string directory;
        try
        {
            directory = GetUnresolvedProviderPathFromPSPath(Path);
        }
        catch (Exception e) when (e is ItemNotFoundException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException)
        {
            WriteError(new ErrorRecord(e, "PathNotFound", ErrorCategory.ObjectNotFound, Path));
            return;
        }

        if (!ShouldProcess($"{Name} from {directory}", "Create image"))
            return;

        var options = new NewImageOptions
        {
            Command = Command,
            Entrypoint = Entrypoint,
            Environment = Hashtables.ToDictionary(Environment),
            WorkingDirectory = WorkingDirectory,
        };
        Try(Name, () => WriteObject(Runtime.Images.CreateFromDirectory(Name, directory, options)));
    }
}
