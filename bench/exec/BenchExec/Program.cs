using System.Diagnostics;
using System.Globalization;
using Bento.Runtime;
using Bento.Runtime.Containers;
using Bento.Runtime.Images;
using Bento.Runtime.Storage;

// Usage: BenchExec <work-dir> <iterations> <rootfs-dir> <runc-bundle>
// Prints a markdown table: median and p90 of running `true` in a running container — Bento's StartExec +
// WaitForExit in-process (a pwsh session with the module loaded), `runc exec` into a runc container of the same
// rootfs (a process per exec, as any runc user pays), and Bento's interactive path is not timed here.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: BenchExec <work-dir> <iterations> <rootfs-dir> <runc-bundle>");
    return 2;
}
var (work, iterations, rootfs, bundle) = (args[0], int.Parse(args[1], CultureInfo.InvariantCulture), args[2], args[3]);
const int Warmup = 5;

var root = Path.Combine(work, "store");
if (Directory.Exists(root))
    Directory.Delete(root, recursive: true);
var runtime = new BentoRuntime(new BentoPaths(root));
runtime.Paths.EnsureCreated();
runtime.Images.CreateFromDirectory("bench/busybox:latest", rootfs, new NewImageOptions { Command = ["sh"] });
var container = runtime.Containers.Create(new ContainerCreateOptions { Name = "bench-exec", Image = "bench/busybox:latest", Command = ["sleep", "3600"] });
runtime.Containers.Start(container.Id);

double TimeBento()
{
    var clock = Stopwatch.StartNew();
    using var process = runtime.Containers.StartExec(container.Id, new ExecOptions { Command = ["true"] });
    process.StandardInput.Dispose();
    foreach (var _ in process.ReadOutput()) { }
    var code = process.WaitForExit();
    if (code != 0) throw new InvalidOperationException($"true exited {code}");
    return clock.Elapsed.TotalMilliseconds;
}

var runcId = "bench-exec-" + Environment.ProcessId;
Run("runc", "run", "--detach", "--bundle", bundle, runcId);
double TimeRunc()
{
    var clock = Stopwatch.StartNew();
    Run("runc", "exec", runcId, "true");
    return clock.Elapsed.TotalMilliseconds;
}

try
{
    // Interleaved, so a noisy neighbour slows both alike.
    for (var i = 0; i < Warmup; i++) { TimeBento(); TimeRunc(); }
    var bento = new List<double>();
    var runc = new List<double>();
    for (var i = 0; i < iterations; i++)
    {
        bento.Add(TimeBento());
        runc.Add(TimeRunc());
    }
    bento.Sort();
    runc.Sort();
    Console.WriteLine($"exec of `true` into a running busybox container, {iterations} interleaved runs after {Warmup} warm-up, milliseconds");
    Console.WriteLine();
    Console.WriteLine("| | median | p90 |");
    Console.WriteLine("|---|---:|---:|");
    Console.WriteLine($"| Bento `StartExec` + `WaitForExit` (in-process, as Invoke-BentoExec) | {Median(bento):F1} | {P90(bento):F1} |");
    Console.WriteLine($"| `runc exec` | {Median(runc):F1} | {P90(runc):F1} |");
}
finally
{
    Run("runc", "kill", runcId, "KILL");
    Thread.Sleep(200);
    Run("runc", "delete", "--force", runcId);
    runtime.Containers.Remove(container.Id, force: true);
}
return 0;

static double Median(List<double> sorted) => sorted[sorted.Count / 2];
static double P90(List<double> sorted) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(sorted.Count * 0.9) - 1)];

static void Run(string program, params string[] arguments)
{
    var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in arguments) start.ArgumentList.Add(argument);
    using var process = Process.Start(start)!;
    process.StandardInput.Close();
    var output = process.StandardOutput.ReadToEndAsync();
    var error = process.StandardError.ReadToEndAsync();
    process.WaitForExit();
    if (process.ExitCode != 0 && arguments[0] != "kill")
        throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: {error.Result}{output.Result}");
}
