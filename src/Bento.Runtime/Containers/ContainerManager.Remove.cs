namespace Bento.Runtime.Containers;

public sealed partial class ContainerManager
{
    /// <summary>Deletes the container and everything it wrote. A running one only with <paramref name="force"/>,
    /// which kills it first and waits until its monitor has gone, so nothing is left: no process, no mount, no file.</summary>
    public void Remove(string id, bool force)
    {
        var container = Get(id);
        if (container.State == ContainerState.Running)
        {
            if (!force)
                ContainerLifecycle.Ensure(container, ContainerOperation.Remove); // refuses: it runs
            container = Stop(container.Id, TimeSpan.Zero, force: true);
        }
        var files = FilesOf(container.Id);
        // The monitor records the exit under this lock as the last thing it writes here (its exit bell, rung after,
        // finds nothing once the directory has moved): with the lock ours and the state not Running, nobody else
        // writes here.
        using (ContainerLock.Acquire(files.Lock))
        {
            container = Load(files, lockHeld: true) ?? throw Errors.BentoErrors.ContainerNotFound(id);
            ContainerLifecycle.Ensure(container, ContainerOperation.Remove);
            // One rename takes it out of every listing; the slow delete happens out of sight.
            Paths.EnsureCreated();
            var doomed = Path.Combine(Paths.Temp, $"removing-{container.Id}-{Guid.NewGuid():N}");
            Directory.Move(files.Directory, doomed);
            ContainerDirectories.Delete(doomed);
        }
    }
}
