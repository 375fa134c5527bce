using System.Management.Automation;
using Bento.Runtime.Containers;

namespace Bento.PowerShell;

/// <summary>Writes a container's log lines the way a native command's output appears: stdout as strings, stderr as errors.</summary>
internal static class LogStreaming
{
    public static void Write(Cmdlet cmdlet, BentoContainer container, LogEntry entry, bool timestamps)
    {
        var text = timestamps ? $"{entry.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ} {entry.Line}" : entry.Line;
        if (entry.Stream == "stderr")
            cmdlet.WriteError(new ErrorRecord(new ContainerStderrException(text), "ContainerStderr", ErrorCategory.NotSpecified, container.Name));
        else
            cmdlet.WriteObject(text);
    }

    /// <summary>Follows the log from now until the container exits; returns its final state.</summary>
    public static BentoContainer? StreamUntilExit(Cmdlet cmdlet, ContainerManager containers, BentoContainer container, CancellationToken stopping)
    {
        foreach (var entry in containers.ReadLog(container.Id, tail: null, follow: true, stopping))
            Write(cmdlet, container, entry, timestamps: false);
        return containers.Wait(container.Id, timeout: null, stopping);
    }
}

/// <summary>A line the container wrote to stderr, carried as the error record's exception like native stderr is.</summary>
public sealed class ContainerStderrException(string line) : Exception(line);
