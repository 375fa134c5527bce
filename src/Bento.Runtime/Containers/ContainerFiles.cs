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
    /// <summary>A FIFO the monitor "rings" after recording the exit (see <see cref="ExitWatch"/>).</summary>
    public string ExitBell => Path.Combine(Directory, "exit.fifo");
    public string Upper => Path.Combine(Directory, "upper");
    public string Work => Path.Combine(Directory, "work");
    /// <summary>The overlay's mount point; it is mounted only inside the container's own mount namespace.</summary>
    public string RootFs => Path.Combine(Directory, "rootfs");

    public RuntimeSpec ReadSpec() => Read(Spec, ContainerJsonContext.Default.RuntimeSpec);

    public ContainerRecord ReadRecord() => Read(Record, ContainerJsonContext.Default.ContainerRecord);

    /// <summary>No state.json yet means Created. One that cannot be read (cut short by a crash: state writes are not
    /// flushed to disk) means the record of a run was lost: Exited, code unknown.</summary>
    public ContainerStateRecord ReadState()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(State);
        }
        catch (FileNotFoundException)
        {
            return new ContainerStateRecord();
        }
        try
        {
            return JsonSerializer.Deserialize(bytes, ContainerJsonContext.Default.ContainerStateRecord) ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            return new ContainerStateRecord { Status = ContainerState.Exited, ExitCode = ContainerLiveness.ExitCodeHostRebooted, ExitReason = "state-lost" };
        }
    }

    /// <summary>Spec and record are written once and must survive a crash: flushed to disk.</summary>
    public void WriteSpec(RuntimeSpec spec) =>
        AtomicFile.WriteAllBytes(Spec, JsonSerializer.SerializeToUtf8Bytes(spec, ContainerJsonContext.Default.RuntimeSpec));

    public void WriteRecord(ContainerRecord record) =>
        AtomicFile.WriteAllBytes(Record, JsonSerializer.SerializeToUtf8Bytes(record, ContainerJsonContext.Default.ContainerRecord));

    /// <summary>Atomic for readers (a rename) but not flushed: state changes on every start and exit, a flush costs
    /// milliseconds on a busy disk, and after a crash the boot id already voids whatever the file said.</summary>
    public void WriteState(ContainerStateRecord state)
    {
        var temp = $"{State}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(state, ContainerJsonContext.Default.ContainerStateRecord));
        File.Move(temp, State, overwrite: true);
    }

    private static T Read<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var bytes = File.ReadAllBytes(path);
        return JsonSerializer.Deserialize(bytes, type) ?? throw new InvalidDataException($"'{path}' holds JSON null.");
    }
}
