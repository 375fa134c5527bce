using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Tests.Containers;

/// <summary>
/// Finds the monitor (bento-shim) and libbentospawn.so the container tests run:
/// $BENTO_SHIM when set (CI after build.ps1: the module folder has both side by side), else builds them once per
/// source version into a cache under the temp directory (NativeAOT publish + gcc) and sets $BENTO_SHIM to it.
/// </summary>
internal static class ShimBuild
{
    private static readonly Lazy<string> Shim = new(Locate);

    public static string ShimPath => Shim.Value;

    public static string SpawnLibraryPath => Path.Combine(Path.GetDirectoryName(ShimPath)!, "libbentospawn.so");

    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Bento.slnx")))
                    return directory.FullName;
            }
            throw new InvalidOperationException($"No Bento.slnx above {AppContext.BaseDirectory}.");
        }
    }

    private static string Locate()
    {
        var given = Environment.GetEnvironmentVariable("BENTO_SHIM");
        if (!string.IsNullOrEmpty(given))
        {
            if (!File.Exists(given) || !File.Exists(Path.Combine(Path.GetDirectoryName(given)!, "libbentospawn.so")))
                throw new InvalidOperationException($"$BENTO_SHIM is '{given}', but it or libbentospawn.so beside it is missing.");
            return given;
        }

        var root = RepositoryRoot;
        var cache = Path.Combine(Path.GetTempPath(), "bento-test-shim-" + SourceHash(root)[..16]);
        var output = Path.Combine(cache, "out");
        var shim = Path.Combine(output, "bento-shim");
        Directory.CreateDirectory(cache);
        // Others (the rootless test's user) execute from here.
        File.SetUnixFileMode(cache, (UnixFileMode)0b111_101_101);
        using (StoreLock.Acquire(Path.Combine(cache, "build.lock"), TimeSpan.FromMinutes(10)))
        {
            if (!File.Exists(shim) || !File.Exists(Path.Combine(output, "libbentospawn.so")))
            {
                // Own intermediate folders, so a concurrent build of the solution is never disturbed.
                Run("dotnet", "publish", Path.Combine(root, "src", "Bento.Shim", "Bento.Shim.csproj"), "-c", "Release",
                    "-o", output, "--artifacts-path", Path.Combine(cache, "artifacts"), "-nologo", "-v", "q");
                Run("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-o", Path.Combine(output, "libbentospawn.so"),
                    Path.Combine(root, "native", "bento-spawn", "spawn.c"));
                File.SetUnixFileMode(output, (UnixFileMode)0b111_101_101);
            }
        }
        Environment.SetEnvironmentVariable("BENTO_SHIM", shim);
        return shim;
    }

    /// <summary>Everything the shim and the spawn library are built from.</summary>
    private static string SourceHash(string root)
    {
        var inputs = new[] { "src/Bento.Runtime", "src/Bento.Shim", "native/bento-spawn" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .Append(Path.Combine(root, "Directory.Build.props"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in inputs)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file)));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} took over 5 minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
    }
}
