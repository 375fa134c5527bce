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

    /// <summary>Bind mounts: "hostPath:containerPath[:ro]" strings, or objects/hashtables with
    /// Source, Target (or Destination) and ReadOnly.</summary>
    [Parameter]
    public object[]? Mount { get; set; }

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

    private BindMount ParseMount(object given)
    {
        var value = given is PSObject wrapped ? wrapped.BaseObject : given;
        if (value is string text)
            return ParseMountText(text);
        var item = PSObject.AsPSObject(value);
        string? Property(params string[] names) => names
            .Select(n => item.Properties[n]?.Value ?? (value is IDictionary d && d.Contains(n) ? d[n] : null))
            .FirstOrDefault(v => v is not null)?.ToString();
        var source = Property("Source", "Src", "HostPath");
        var target = Property("Target", "Destination", "Dst", "ContainerPath");
        if (source is null || target is null)
            throw BentoErrors.InvalidArgument(given.ToString() ?? "", "A mount needs a Source (host path) and a Target (container path).");
        return Validated(source, target, LanguagePrimitives.IsTrue(Property("ReadOnly", "RO")), given.ToString() ?? source);
    }

    private BindMount ParseMountText(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3 || (parts.Length == 3 && parts[2] is not ("ro" or "rw")))
            throw BentoErrors.InvalidArgument(text, $"The mount '{text}' is not of the form hostPath:containerPath[:ro].");
        return Validated(parts[0], parts[1], parts.Length == 3 && parts[2] == "ro", text);
    }

    private BindMount Validated(string source, string target, bool readOnly, string shown)
    {
        if (source.Length == 0 || !target.StartsWith('/'))
            throw BentoErrors.InvalidArgument(shown, $"The mount '{shown}' needs a host path and an absolute container path.");
        var fullSource = GetUnresolvedProviderPathFromPSPath(source);
        if (!Directory.Exists(fullSource) && !File.Exists(fullSource))
            throw BentoErrors.InvalidArgument(shown, $"The mount source '{fullSource}' does not exist.");
        return new BindMount(fullSource, target, readOnly);
    }
}
