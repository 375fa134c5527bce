using System.Text.Json.Serialization;

namespace Bento.Runtime.Containers.Spec;

// The subset of the OCI runtime specification (config.json, runtime-spec v1.0.2) that Bento writes and executes.
// Property names follow the specification; where C# casing would differ, JsonPropertyName says so.

/// <summary>A container's config.json.</summary>
internal sealed class RuntimeSpec
{
    public string OciVersion { get; set; } = "1.0.2";
    public SpecProcess Process { get; set; } = new();
    public SpecRoot Root { get; set; } = new();
    public string? Hostname { get; set; }
    public List<SpecMount> Mounts { get; set; } = [];
    public SpecLinux Linux { get; set; } = new();
    public Dictionary<string, string>? Annotations { get; set; }

    public bool HasNamespace(string type) => Linux.Namespaces.Any(n => n.Type == type);
}

internal sealed class SpecProcess
{
    public bool Terminal { get; set; }
    public SpecUser User { get; set; } = new();
    public List<string> Args { get; set; } = [];
    public List<string> Env { get; set; } = [];
    public string Cwd { get; set; } = "/";
    public SpecCapabilities? Capabilities { get; set; }
    public List<SpecRlimit>? Rlimits { get; set; }
    public bool NoNewPrivileges { get; set; }
}

internal sealed class SpecUser
{
    public uint Uid { get; set; }
    public uint Gid { get; set; }
    public List<uint>? AdditionalGids { get; set; }
}

internal sealed class SpecCapabilities
{
    public List<string> Bounding { get; set; } = [];
    public List<string> Effective { get; set; } = [];
    public List<string> Inheritable { get; set; } = [];
    public List<string> Permitted { get; set; } = [];
    public List<string> Ambient { get; set; } = [];
}

internal sealed class SpecRlimit
{
    public string Type { get; set; } = "";
    public ulong Hard { get; set; }
    public ulong Soft { get; set; }
}

internal sealed class SpecRoot
{
    public string Path { get; set; } = "rootfs";
    public bool Readonly { get; set; }
}

internal sealed class SpecMount
{
    public string Destination { get; set; } = "";
    public string? Type { get; set; }
    public string? Source { get; set; }
    public List<string>? Options { get; set; }
}

internal sealed class SpecLinux
{
    public List<SpecNamespace> Namespaces { get; set; } = [];
    public List<SpecIdMapping>? UidMappings { get; set; }
    public List<SpecIdMapping>? GidMappings { get; set; }
    public List<string>? MaskedPaths { get; set; }
    public List<string>? ReadonlyPaths { get; set; }
}

internal sealed class SpecNamespace
{
    public string Type { get; set; } = "";
    /// <summary>Join this existing namespace instead of creating one.</summary>
    public string? Path { get; set; }
}

internal sealed class SpecIdMapping
{
    [JsonPropertyName("containerID")]
    public uint ContainerId { get; set; }

    [JsonPropertyName("hostID")]
    public uint HostId { get; set; }

    public uint Size { get; set; }
}
