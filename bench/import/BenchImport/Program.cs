using System.Diagnostics;
using System.Globalization;
using Bento.Runtime;
using Bento.Runtime.Storage;

// Times ImageStore.Import inside one long-lived process, as a pwsh session with the module loaded pays it.
//
//   BenchImport <work-dir> <archive>     one import, then exit (a cold process: .NET start-up and JIT included)
//   BenchImport --serve <work-dir>       reads archive paths from stdin, one per line; for each, imports it into a
//                                        fresh store and prints "<wall seconds> <cpu seconds>" of the import;
//                                        bench/import/run.sh uses this to interleave Bento's runs with the others'.
// Before each import the page cache is flushed (sync). Stores are left for the caller to delete after all runs:
// on ext4 without a journal, inodes deleted in the last minutes make creating new ones slow, which would
// penalise whatever runs next.
if (args is ["--serve", var serveDirectory])
{
    var run = 0;
    while (Console.ReadLine() is { Length: > 0 } archive)
        Console.WriteLine(TimeImport(serveDirectory, archive, ++run));
    return 0;
}
if (args is [var workDirectory, var single])
{
    Console.WriteLine(TimeImport(workDirectory, single, 0));
    return 0;
}
Console.Error.WriteLine("usage: BenchImport <work-dir> <archive> | BenchImport --serve <work-dir>");
return 2;

static string TimeImport(string workDirectory, string archive, int run)
{
    var root = Path.Combine(workDirectory, $"bento-store-{Environment.ProcessId}-{run}");
    using (var sync = Process.Start("sync"))
        sync.WaitForExit();
    var runtime = new BentoRuntime(new BentoPaths(root));
    var process = Process.GetCurrentProcess();
    var cpuBefore = process.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    runtime.Images.Import(archive);
    watch.Stop();
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpuBefore;
    return string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalSeconds:F3} {cpu.TotalSeconds:F3}");
}
