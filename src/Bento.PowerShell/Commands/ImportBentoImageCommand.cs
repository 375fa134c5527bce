using System.Collections.Concurrent;
using System.Management.Automation;
using Bento.Runtime.Images;

namespace Bento.PowerShell.Commands;

/// <summary>Loads images from docker-save archives, OCI archives and OCI layout directories.</summary>
[Cmdlet(VerbsData.Import, "BentoImage")]
[OutputType(typeof(BentoImage))]
public sealed class ImportBentoImageCommand : BentoCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath", "LiteralPath")]
    public string[] Path { get; set; } = [];

    /// <summary>Re-tags the imported image (repo:tag).</summary>
    [Parameter]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var given in Path)
        {
            foreach (var path in ResolvePaths(given))
                Try(path, () => Import(path));
        }
    }

    private IEnumerable<string> ResolvePaths(string given)
    {
        IEnumerable<string>? resolved = null;
        try
        {
            resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(given, out _);
        }
        catch (ItemNotFoundException e)
        {
            WriteError(new ErrorRecord(e, "PathNotFound", ErrorCategory.ObjectNotFound, given));
        }
        return resolved ?? Array.Empty<string>();
    }

    // The import runs on a worker thread so this thread can keep writing progress records
    // (cmdlet output may only be written from the pipeline thread).
    private void Import(string path)
    {
        var reports = new BlockingCollection<ImportProgress>();
        var progress = new QueueingProgress(reports);
        var work = Task.Run(() =>
        {
            try { return Runtime.Images.Import(path, Name, progress, CancelToken); }
            finally { reports.CompleteAdding(); }
        });

        var record = new ProgressRecord(1, "Importing " + System.IO.Path.GetFileName(path), "Reading");
        var lastWrite = DateTime.MinValue;
        foreach (var report in reports.GetConsumingEnumerable())
        {
            // Rendering a progress bar costs far more than a report; a few a second is all a person can read.
            if (DateTime.UtcNow - lastWrite < ProgressInterval) continue;
            lastWrite = DateTime.UtcNow;
            record.StatusDescription = $"{report.Activity}: {FormatBytes(report.BytesDone)} of {FormatBytes(report.BytesTotal)}";
            record.PercentComplete = report.BytesTotal > 0 ? (int)Math.Clamp(report.BytesDone * 100 / report.BytesTotal, 0, 100) : -1;
            WriteProgress(record);
        }
        record.RecordType = ProgressRecordType.Completed;
        WriteProgress(record);

        foreach (var image in work.GetAwaiter().GetResult())
            WriteObject(image);
    }

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.0} kB",
        _ => $"{bytes} B",
    };

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private sealed class QueueingProgress(BlockingCollection<ImportProgress> queue) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            if (!queue.IsAddingCompleted) queue.TryAdd(value);
        }
    }
}
