using System.Collections;
using System.Management.Automation;
using Bento.Runtime.Containers;

namespace Bento.PowerShell;

/// <summary>The parameters every cmdlet that runs a command in a running container shares.</summary>
public abstract class ExecCmdletBase : BentoCmdlet
{
    /// <summary>A user name or uid (name:group, uid:gid) as the container's /etc/passwd knows it.</summary>
    [Parameter]
    public string? User { get; set; }

    [Parameter]
    [Alias("WorkDir")]
    public string? WorkingDirectory { get; set; }

    /// <summary>Added to (and overriding) the container's environment.</summary>
    [Parameter]
    [Alias("Env")]
    public Hashtable? Environment { get; set; }

    protected ExecOptions BuildOptions(string[] command) => new()
    {
        Command = command,
        Environment = Hashtables.ToDictionary(Environment),
        User = User,
        WorkingDirectory = WorkingDirectory,
    };
}
