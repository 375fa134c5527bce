namespace Bento.Runtime.Containers;

public sealed partial class ContainerManager
{
    /// <summary>How often a waiter re-checks on its own, for cancellation.</summary>
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Blocks until the container is not running; null if the timeout passed first.</summary>
    public BentoContainer? Wait(string id, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var container = Get(id);
        var files = FilesOf(container.Id);
        var deadline = timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
        using var exit = new ExitWatch(files);
        while (true)
        {
            exit.Arm();
            container = Load(files) ?? throw Errors.BentoErrors.ContainerNotFound(id);
            if (container.State != ContainerState.Running)
                return container;
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
                return null;
            exit.Wait(files.ReadState(), remaining < RecheckInterval ? remaining : RecheckInterval);
        }
    }
}
