using System.Diagnostics;
using System.Globalization;
using Bento;
using Bento.Runtime;
using Bento.Runtime.Containers;
using Bento.Runtime.Storage;

// Usage: BenchLifecycle <work-dir> <iterations> <oci-archive> <runc-bundle> <podman-image> [<monitors>]
// Prints a markdown table: median and p90 of New+Start+Wait+Remove of /bin/true with Bento (in-process API, as the
// cmdlets call it), of `runc run` on a bundle of the same rootfs, of `podman --runtime runc run --rm` on the same
// image, interleaved; then the monitor's memory with <monitors> containers running at once.
if (args.Length < 5)
{
    Console.Error.WriteLine("usage: BenchLifecycle <work-dir> <iterations> <oci-archive> <runc-bundle> <podman-image> [<monitors>]");
    return 2;
}
var (work, iterations, archive, bundle, podmanImage) = (args[0], int.Parse(args[1], CultureInfo.InvariantCulture), args[2], args[3], args[4]);
var monitors = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 10;
const int Warmup = 3;

var root = Path.Combine(work, "store");
if (Directory.Exists(root))
    Directory.Delete(root, recursive: true);
var runtime = new BentoRuntime(new BentoPaths(root));
var image = runtime.Images.Import(archive, "bench/busybox:latest").Single();
var containers = runtime.Containers;

var create = new List<double>();
var start = new List<double>();
var wait = new List<double>();
var remove = new List<double>();
var total = new List<double>();
var runc = new List<double>();
var podman = new List<double>();
// Interleaved run by run, so background load slows each runtime alike.
for (var i = 0; i < Warmup + iterations; i++)
{
    var clock = Stopwatch.StartNew();
    var container = containers.Create(new ContainerCreateOptions { Image = image.Name, Command = ["/bin/true"] });
    var created = clock.Elapsed.TotalMilliseconds;
    containers.Start(container.Id);
    var started = clock.Elapsed.TotalMilliseconds;
    var exited = containers.Wait(container.Id, TimeSpan.FromSeconds(30), CancellationToken.None);
    var waited = clock.Elapsed.TotalMilliseconds;
    containers.Remove(container.Id, force: false);
    var removed = clock.Elapsed.TotalMilliseconds;
    if (exited?.ExitCode != 0)
        throw new InvalidOperationException($"/bin/true exited with {exited?.ExitCode}");

    var runcTime = Time(() => Run("runc", "run", "--bundle", bundle, $"bench-{Environment.ProcessId}-{i}"));
    // This machine's root lacks CAP_SYS_RESOURCE: podman's default rlimits (nofile, nproc 1048576) cannot be set.
    var podmanTime = Time(() => Run("podman", "--runtime", "runc", "run", "--rm", "--ulimit", "nofile=1024:1024",
        "--ulimit", "nproc=1024:1024", podmanImage, "/bin/true"));
    if (i < Warmup)
        continue;
    create.Add(created);
    start.Add(started - created);
    wait.Add(waited - started);
    remove.Add(removed - waited);
    total.Add(removed);
    runc.Add(runcTime);
    podman.Add(podmanTime);
}

Console.WriteLine($"| {iterations} runs of /bin/true | median ms | p90 ms |");
Console.WriteLine("|---|---:|---:|");
Row("Bento New+Start+Wait+Remove", total);
Row("  New (Create)", create);
Row("  Start (monitor up, command exec'd)", start);
Row("  Wait (exit recorded)", wait);
Row("  Remove", remove);
Row("runc run (prepared bundle)", runc);
Row("podman --runtime runc run --rm", podman);

// The monitor's memory: start several long-running containers, read each monitor's RSS and PSS (shared pages of
// the one binary split between them), then remove them.
var running = Enumerable.Range(0, monitors)
    .Select(_ => containers.Start(containers.Create(new ContainerCreateOptions { Image = image.Name, Command = ["sleep", "60"] }).Id))
    .ToList();
Thread.Sleep(500);
var rss = new List<double>();
var pss = new List<double>();
foreach (var container in running)
{
    var monitorPid = ParentOf(container.Pid);
    rss.Add(Kilobytes($"/proc/{monitorPid}/status", "VmRSS:") / 1024.0);
    pss.Add(Kilobytes($"/proc/{monitorPid}/smaps_rollup", "Pss:") / 1024.0);
}
foreach (var container in running)
    containers.Remove(container.Id, force: true);
Console.WriteLine();
Console.WriteLine($"| monitor (bento-shim run), {monitors} running containers | median MiB | max MiB |");
Console.WriteLine("|---|---:|---:|");
Console.WriteLine(FormattableString.Invariant($"| RSS | {Median(rss):F1} | {rss.Max():F1} |"));
Console.WriteLine(FormattableString.Invariant($"| PSS | {Median(pss):F1} | {pss.Max():F1} |"));
Directory.Delete(root, recursive: true);
return 0;

static double Time(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed.TotalMilliseconds;
}

static void Run(string program, params string[] arguments)
{
    var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in arguments)
        info.ArgumentList.Add(argument);
    using var process = Process.Start(info)!;
    var stderr = process.StandardError.ReadToEndAsync();
    process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
        throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}");
}

static void Row(string name, List<double> values) =>
    Console.WriteLine(FormattableString.Invariant($"| {name} | {Median(values):F1} | {Percentile(values, 0.9):F1} |"));

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];
}

static int ParentOf(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
}

static double Kilobytes(string file, string field) =>
    double.Parse(File.ReadLines(file).First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
