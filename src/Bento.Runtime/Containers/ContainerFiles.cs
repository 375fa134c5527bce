using System.Text.Json;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Containers;

/// <summary>The files of one container directory (containers/&lt;id&gt;/) and how they are read and written.</summary>
internal sealed class ContainerFiles(string directory)
{
    public string Directory { get; } = directory;
    public string Spec => Path.Combine(Directory, "config.json");
    public string Record => Path.Combine(Directory, "container.json");
    public string State => Path.Combine(Directory, "state.json");
    public string Log => Path.Combine(Directory, "log.jsonl");
    /// <summary>flock'ed by whoever changes state.json from Running to something else, or starts the container.</summary>
    public string Lock => Path.Combine(Directory, "lock");
    public string Upper => Path.Combine(Directory, "upper");
    public string Work => Path.Combine(Directory, "work");
    /// <summary>The overlay's mount point; it is mounted only inside the container's own mount namespace.</summary>
    public string RootFs => Path.Combine(Directory, "rootfs");

    public RuntimeSpec ReadSpec() => Read(Spec, ContainerJsonContext.Default.RuntimeSpec);

    public ContainerRecord ReadRecord() => Read(Record, ContainerJsonContext.Default.ContainerRecord);

    public ContainerStateRecord ReadState() =>
        File.Exists(State) ? Read(State, ContainerJsonContext.Default.ContainerStateRecord) : new ContainerStateRecord();

    public void WriteSpec(RuntimeSpec spec) =>
        AtomicFile.WriteAllBytes(Spec, JsonSerializer.SerializeToUtf8Bytes(spec, ContainerJsonContext.Default.RuntimeSpec));

    public void WriteRecord(ContainerRecord record) =>
        AtomicFile.WriteAllBytes(Record, JsonSerializer.SerializeToUtf8Bytes(record, ContainerJsonContext.Default.ContainerRecord));

    public void WriteState(ContainerStateRecord state) =>
        AtomicFile.WriteAllBytes(State, JsonSerializer.SerializeToUtf8Bytes(state, ContainerJsonContext.Default.ContainerStateRecord));

    private static T Read<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var bytes = File.ReadAllBytes(path);
        return JsonSerializer.Deserialize(bytes, type) ?? throw new InvalidDataException($"'{path}' holds JSON null.");
    }
}
