using System.Management.Automation;

namespace Bento.PowerShell.Commands;

/// <summary>Deletes images; layers no other image or container uses are freed.</summary>
[Cmdlet(VerbsCommon.Remove, "BentoImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByName)]
[OutputType(typeof(void))]
public sealed class RemoveBentoImageCommand : BentoCmdlet
{
    private const string ByName = "Name";
    private const string ByInputObject = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName)]
    [ArgumentCompleter(typeof(Completers.ImageNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByInputObject)]
    public BentoImage[] InputObject { get; set; } = [];

    /// <summary>Remove even when containers use the image (their layers stay until they are removed).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var targets = ParameterSetName == ByInputObject ? InputObject.Select(i => i.Name) : Name;
        foreach (var name in targets)
        {
            Try(name, () =>
            {
                var image = Runtime.Images.Get(name);
                if (ShouldProcess(Describe(image), "Remove image"))
                    Runtime.RemoveImage(image, Force);
            });
        }
    }
}
