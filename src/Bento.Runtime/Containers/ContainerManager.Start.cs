using System.Diagnostics;
using Bento.Runtime.Errors;
using Bento.Runtime.Process;

namespace Bento.Runtime.Containers;

public sealed partial class ContainerManager
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Starts the container detached (a monitor process outlives the caller) and returns once it runs.</summary>
    public BentoContainer Start(string id)
    {
        var container = Get(id);
        var files = FilesOf(container.Id);
        // Held until the monitor's handshake: a second Start waits here and then finds the container running.
        using (ContainerLock.Acquire(files.Lock))
        {
            container = Load(files, lockHeld: true) ?? throw BentoErrors.ContainerNotFound(id);
            ContainerLifecycle.Ensure(container, ContainerOperation.Start);
            LaunchMonitor(container, files);
        }
        return Get(container.Id);
    }

    /// <summary>Runs <c>bento-shim run &lt;dir&gt;</c>, which detaches into its own session, and waits for its one
    /// line: <c>started &lt;pid&gt;</c> or a typed failure.</summary>
    private static void LaunchMonitor(BentoContainer container, ContainerFiles files)
    {
        var startInfo = new ProcessStartInfo(ShimLocator.Locate())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        startInfo.ArgumentList.Add("run");
        startInfo.ArgumentList.Add(files.Directory);
        using var monitor = System.Diagnostics.Process.Start(startInfo)
            ?? throw new BentoException(StartFailure.StartFailed, BentoErrorCategory.InvalidOperation, "The container monitor did not start.", container.Name);
        monitor.StandardInput.Close();
        var errors = monitor.StandardError.ReadToEndAsync();
        var line = monitor.StandardOutput.ReadLineAsync();
        if (!line.Wait(HandshakeTimeout))
        {
            try { monitor.Kill(); } catch (InvalidOperationException) { }
            throw new BentoException(StartFailure.StartFailed, BentoErrorCategory.OperationStopped,
                $"The monitor of container '{container.Name}' did not report within {HandshakeTimeout.TotalSeconds} s.", container.Name);
        }
        var diagnostics = line.Result is null && errors.Wait(TimeSpan.FromSeconds(5)) ? errors.Result : "";
        StartHandshake.Parse(line.Result, container.Name, diagnostics);
    }
}
