namespace Bento.Runtime.Containers;

/// <summary>container.json: what a container is, written once at create. Its spec (config.json) says how it runs.</summary>
internal sealed class ContainerRecord
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>The image name the container was created from, as the user gave it resolved to repo:tag.</summary>
    public string Image { get; set; } = "";
    public string ImageId { get; set; } = "";
    public DateTimeOffset Created { get; set; }
    public string Hostname { get; set; } = "";
    /// <summary>The process's argv (Entrypoint + Cmd as resolved at create), for display.</summary>
    public List<string> Command { get; set; } = [];
    /// <summary>Created by an unprivileged user: its root is that user, mapped through a user namespace.</summary>
    public bool Rootless { get; set; }
    /// <summary>The main process runs on a PTY (New-BentoContainer -Tty): attaching means relaying a terminal.</summary>
    public bool Tty { get; set; }
    /// <summary>The image's extracted layers, bottom first (overlay wants them top first).</summary>
    public List<string> LowerDirs { get; set; } = [];
    /// <summary>The diff-ids of those layers, so image removal never frees a layer a container mounts.</summary>
    public List<string> Layers { get; set; } = [];
}
