using System.Collections;
using System.Management.Automation;
using Bento.Runtime.Containers;
using Bento.Runtime.Errors;

namespace Bento.PowerShell.Commands;

/// <summary>Creates a container from an image (docker create).</summary>
[Cmdlet(VerbsCommon.New, "BentoContainer", SupportsShouldProcess = true)]
[OutputType(typeof(BentoContainer))]
public sealed class NewBentoContainerCommand : BentoCmdlet
{
    /// <summary>Generated (adjective_noun) when omitted.</summary>
    [Parameter(Position = 0)]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.ImageNameCompleter))]
    public string Image { get; set; } = "";

    /// <summary>Replaces the image's Cmd.</summary>
    [Parameter(Position = 2, ValueFromRemainingArguments = true)]
    public string[]? Command { get; set; }

    /// <summary>Replaces the image's Entrypoint; an empty string clears it.</summary>
    [Parameter]
    public string[]? Entrypoint { get; set; }

    [Parameter]
    [Alias("Env")]
    public Hashtable? Environment { get; set; }

    [Parameter]
    [Alias("WorkDir")]
    public string? WorkingDirectory { get; set; }

    [Parameter]
    public string? User { get; set; }

    [Parameter]
    public string? Hostname { get; set; }

    /// <summary>Bind mounts as "hostPath:containerPath[:ro]".</summary>
    [Parameter]
    public string[]? Mount { get; set; }

    [Parameter]
    public SwitchParameter ReadOnly { get; set; }

    [Parameter]
    public SwitchParameter Tty { get; set; }

    [Parameter]
    [ValidateSet("none", "host")]
    public string? Network { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name ?? "(generated name)", $"Create container from {Image}"))
            return;
        Try(Name ?? Image, () =>
        {
            var options = new ContainerCreateOptions
            {
                Name = Name,
                Image = Image,
                Command = Command is { Length: > 0 } ? Command : null,
                Entrypoint = Entrypoint is null ? null : Entrypoint.Where(e => e.Length > 0).ToArray(),
                Environment = Hashtables.ToDictionary(Environment),
                WorkingDirectory = WorkingDirectory,
                User = User,
                Hostname = Hostname,
                Mounts = (Mount ?? []).Select(ParseMount).ToList(),
                ReadOnly = ReadOnly,
                Tty = Tty,
                Network = Network,
            };
            WriteObject(Runtime.Containers.Create(options));
        });
    }

    private BindMount ParseMount(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || !parts[1].StartsWith('/') || (parts.Length == 3 && parts[2] is not ("ro" or "rw")))
            throw BentoErrors.InvalidArgument(text, $"The mount '{text}' is not of the form hostPath:containerPath[:ro].");
        var source = GetUnresolvedProviderPathFromPSPath(parts[0]);
        if (!Directory.Exists(source) && !File.Exists(source))
            throw BentoErrors.InvalidArgument(text, $"The mount source '{source}' does not exist.");
        return new BindMount(source, parts[1], parts.Length == 3 && parts[2] == "ro");
    }
}
