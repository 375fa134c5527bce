using Bento.Runtime.Storage;

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
            ContainerLifecycle.Ensure(container, force ? ContainerOperation.Exit : ContainerOperation.Remove);
            container = Stop(container.Id, TimeSpan.Zero, force: true);
        }
        var files = FilesOf(container.Id);
        using (StoreLock.Acquire(files.Lock))
        {
            container = Load(files, lockHeld: true) ?? throw Errors.BentoErrors.ContainerNotFound(id);
            ContainerLifecycle.Ensure(container, ContainerOperation.Remove);
            WaitForMonitorExit(files);
            // One rename takes it out of every listing; the slow delete happens out of sight.
            Paths.EnsureCreated();
            var doomed = Path.Combine(Paths.Temp, $"removing-{container.Id}-{Guid.NewGuid():N}");
            Directory.Move(files.Directory, doomed);
            ContainerDirectories.Delete(doomed);
        }
    }

    /// <summary>The monitor writes the exit record as its last act; wait for the process itself to be gone, so it
    /// never touches a directory that is being deleted.</summary>
    private static void WaitForMonitorExit(ContainerFiles files)
    {
        var state = files.ReadState();
        var monitor = new Process.ProcessIdentity(state.MonitorPid, state.MonitorStartTime);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (state.MonitorPid > 0 && monitor.IsAlive && DateTime.UtcNow < deadline)
            Thread.Sleep(2);
    }
}
