using Bento.Runtime.Images;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Containers;

/// <summary>Creates, starts, stops, lists and removes containers in one store. One operation per file:
/// ContainerManager.Create.cs, .Start.cs, .Stop.cs, .Remove.cs, .Wait.cs, .Logs.cs, .List.cs.</summary>
public sealed partial class ContainerManager
{
    public ContainerManager(BentoPaths paths, ImageStore images)
    {
        Paths = paths;
        Images = images;
    }

    public BentoPaths Paths { get; }
    public ImageStore Images { get; }

    public BentoContainer Get(string nameOrId) => Find(nameOrId) ?? throw Errors.BentoErrors.ContainerNotFound(nameOrId);

    private ContainerFiles FilesOf(string id) => new(Paths.ContainerDir(id));

    /// <summary>A snapshot of the container in <paramref name="files"/>; null when the directory is not (or no
    /// longer) a complete container.</summary>
    private static BentoContainer? Load(ContainerFiles files, bool lockHeld = false)
    {
        ContainerRecord record;
        ContainerStateRecord state;
        try
        {
            record = files.ReadRecord();
            state = ContainerLiveness.Read(files, lockHeld);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or System.Text.Json.JsonException)
        {
            return null;
        }
        return Snapshot(files, record, state);
    }

    private static BentoContainer Snapshot(ContainerFiles files, ContainerRecord record, ContainerStateRecord state) => new()
    {
        Name = record.Name,
        Id = record.Id,
        Image = record.Image,
        ImageId = record.ImageId,
        State = state.Status,
        Pid = state.Status == ContainerState.Running ? state.Pid : 0,
        ExitCode = state.Status == ContainerState.Exited ? state.ExitCode : null,
        Created = record.Created,
        StartedAt = state.StartedAt,
        FinishedAt = state.Status == ContainerState.Exited ? state.FinishedAt : null,
        Command = DisplayCommand(record.Command),
        Hostname = record.Hostname,
        Rootless = record.Rootless,
        Tty = record.Tty,
        LogPath = files.Log,
    };

    /// <summary>argv for display: words with blanks or quotes are quoted, like `docker ps` shows them.</summary>
    internal static string DisplayCommand(IEnumerable<string> argv) =>
        string.Join(' ', argv.Select(a => a.Length == 0 || a.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'')
            ? "\"" + a.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\""
            : a));
}
