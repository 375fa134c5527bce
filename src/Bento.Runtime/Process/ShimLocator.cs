using Bento.Runtime.Containers;
using Bento.Runtime.Errors;

namespace Bento.Runtime.Process;

/// <summary>Finds the monitor executable: $BENTO_SHIM, else bento-shim next to Bento.Runtime.dll (the module folder).</summary>
internal static class ShimLocator
{
    public const string EnvironmentVariable = "BENTO_SHIM";
    public const string FileName = "bento-shim";

    public static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (File.Exists(fromEnvironment))
                return Path.GetFullPath(fromEnvironment);
            throw BentoErrors.UnsupportedHost($"${EnvironmentVariable} names '{fromEnvironment}', which does not exist.",
                "Point it at the bento-shim executable or unset it.");
        }
        var directory = AssemblyDirectory();
        var candidate = Path.Combine(directory, FileName);
        if (File.Exists(candidate))
            return candidate;
        throw BentoErrors.UnsupportedHost($"The container monitor '{FileName}' was not found in '{directory}'.",
            $"Build the module with build.ps1, or set ${EnvironmentVariable} to the monitor's path.");
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000",
        Justification = "An empty Location (single-file or NativeAOT host) falls back to the base directory.")]
    private static string AssemblyDirectory()
    {
        // Empty in single-file or NativeAOT hosts, where the base directory is the executable's.
        var location = typeof(ContainerManager).Assembly.Location;
        return string.IsNullOrEmpty(location) ? AppContext.BaseDirectory : Path.GetDirectoryName(location)!;
    }
}
