using System.Diagnostics;
using System.Globalization;
using Bento.Runtime;
using Bento.Runtime.Storage;

// Usage: BenchImport <work-dir> <runs> <archive>...
// For each archive, imports it <runs> times, each into a fresh store under <work-dir>, and prints one line per run:
// "<archive> <run> <seconds>". The page cache is flushed (sync) before each timed import and the store deleted after.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: BenchImport <work-dir> <runs> <archive>...");
    return 2;
}
var workDirectory = args[0];
var runs = int.Parse(args[1], CultureInfo.InvariantCulture);
foreach (var archive in args.Skip(2))
{
    for (var run = 1; run <= runs; run++)
    {
        var root = Path.Combine(workDirectory, $"bento-store-{run}");
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        Sync();
        var runtime = new BentoRuntime(new BentoPaths(root));
        var watch = Stopwatch.StartNew();
        var images = runtime.Images.Import(archive);
        watch.Stop();
        Console.WriteLine(FormattableString.Invariant($"{archive} {run} {watch.Elapsed.TotalSeconds:F3} {images.Count}"));
        Directory.Delete(root, recursive: true);
    }
}
return 0;

static void Sync()
{
    using var sync = Process.Start("sync");
    sync?.WaitForExit();
}
