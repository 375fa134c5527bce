using Bento.Runtime.Errors;

namespace Bento.Runtime.Containers;

/// <summary>The operations that change a container's state, and from which states each is legal.</summary>
internal enum ContainerOperation
{
    Start,
    Exit,
    Remove,
}

/// <summary>
/// The state machine (OCI: created → running → stopped): each state names its legal transitions, and an illegal
/// one is InvalidContainerState carrying where it was and what was asked.
/// <code>
///   Created ──Start──▶ Running ──Exit──▶ Exited ──Start──▶ Running
///   Created, Exited ──Remove──▶ (gone);  Running ──Remove──▶ only with force (killed first)
/// </code>
/// </summary>
internal static class ContainerLifecycle
{
    private static readonly Dictionary<ContainerState, ContainerOperation[]> Legal = new()
    {
        [ContainerState.Created] = [ContainerOperation.Start, ContainerOperation.Remove],
        [ContainerState.Running] = [ContainerOperation.Exit],
        [ContainerState.Exited] = [ContainerOperation.Start, ContainerOperation.Remove],
    };

    public static bool IsLegal(ContainerState from, ContainerOperation operation) => Legal[from].Contains(operation);

    public static void Ensure(BentoContainer container, ContainerOperation operation)
    {
        if (IsLegal(container.State, operation))
            return;
        var message = (container.State, operation) switch
        {
            (ContainerState.Running, ContainerOperation.Start) => $"Container '{container.Name}' is already running.",
            (ContainerState.Running, ContainerOperation.Remove) =>
                $"Container '{container.Name}' is running; stop it first or remove it with -Force.",
            _ => $"Container '{container.Name}' is {container.State}; {operation} is not possible from that state.",
        };
        throw BentoErrors.InvalidContainerState(container.Name, message);
    }
}
