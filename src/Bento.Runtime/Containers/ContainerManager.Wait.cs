namespace Bento.Runtime.Containers;

public sealed partial class ContainerManager
{
    /// <summary>How often a waiter re-checks on its own, for cancellation and a monitor that died silently.</summary>
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Blocks until the container is not running; null if the timeout passed first.</summary>
    public BentoContainer? Wait(string id, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var container = Get(id);
        var files = FilesOf(container.Id);
        var deadline = timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
        // Watch before the first look, so an exit between the look and the wait still wakes us.
        using var watcher = StateWatcher.TryCreate(files.Directory);
        while (true)
        {
            container = Load(files) ?? throw Errors.BentoErrors.ContainerNotFound(id);
            if (container.State != ContainerState.Running)
                return container;
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
                return null;
            StateWatcher.WaitForChange(watcher, remaining < RecheckInterval ? remaining : RecheckInterval);
        }
    }
}
