using System.Runtime.InteropServices;

namespace Bento.Runtime.Images.ImageFormats;

/// <summary>This machine in OCI platform terms (GOARCH names), for choosing from multi-platform indexes and for
/// the configs the store writes.</summary>
internal static class HostPlatform
{
    public const string Os = "linux";

    public static string Architecture => ToOci(RuntimeInformation.OSArchitecture);

    /// <summary>The variant images for this machine usually carry (arm64 images say v8, 32-bit arm v7).</summary>
    public static string? Variant => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "v8",
        System.Runtime.InteropServices.Architecture.Arm => "v7",
        System.Runtime.InteropServices.Architecture.Armv6 => "v6",
        _ => null,
    };

    public static string ToOci(Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm or System.Runtime.InteropServices.Architecture.Armv6 => "arm",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    public static bool Matches(OciPlatform platform) =>
        string.Equals(platform.Os, Os, StringComparison.Ordinal) && string.Equals(platform.Architecture, Architecture, StringComparison.Ordinal);

    public static string Describe() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
