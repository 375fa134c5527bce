using System.Diagnostics;

namespace Bento.Runtime.Images;

/// <summary>Counts bytes read from layer blobs and reports them at most every 100 ms: progress bars redraw slowly,
/// and a report per read would cost more than the read.</summary>
internal sealed class ImportProgressReporter
{
    private static readonly long Interval = Stopwatch.Frequency / 10;

    private readonly IProgress<ImportProgress>? _progress;
    private long _lastReport = long.MinValue;
    private string _activity = "";

    public ImportProgressReporter(IProgress<ImportProgress>? progress, long total)
    {
        _progress = progress;
        Total = total;
    }

    public long Total { get; }
    public long Done { get; private set; }

    public void Begin(string activity)
    {
        _activity = activity;
        Report();
    }

    public void Add(int bytes)
    {
        Done += bytes;
        if (_progress is not null && Stopwatch.GetTimestamp() - _lastReport >= Interval)
            Report();
    }

    public void Complete()
    {
        Done = Total;
        Report();
    }

    private void Report()
    {
        if (_progress is null)
            return;
        _lastReport = Stopwatch.GetTimestamp();
        _progress.Report(new ImportProgress(Math.Min(Done, Total), Total, _activity));
    }
}
