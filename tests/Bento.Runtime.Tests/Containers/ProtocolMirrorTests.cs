using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Tests.Containers;

/// <summary>native/bento-spawn/protocol.h and its C# mirror must say the same thing.</summary>
public sealed partial class ProtocolMirrorTests
{
    [GeneratedRegex(@"^#define\s+(BENTO_\w+)\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Define();

    private static Dictionary<string, long> HeaderConstants()
    {
        var text = File.ReadAllText(Path.Combine(ShimBuild.RepositoryRoot, "native", "bento-spawn", "protocol.h"));
        return Define().Matches(text)
            .Where(m => m.Groups[1].Value != "BENTO_SPAWN_PROTOCOL_H")
            .ToDictionary(m => m.Groups[1].Value, m => ParseNumber(m.Groups[2].Value));
    }

    private static long ParseNumber(string literal)
    {
        literal = literal.TrimEnd('u', 'U');
        return literal.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.Parse(literal[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(literal, CultureInfo.InvariantCulture);
    }

    /// <summary>Every C# constant and enum member marked [Mirrors("BENTO_…")], by the name it mirrors.</summary>
    private static Dictionary<string, long> MirroredConstants()
    {
        var mirrors = new Dictionary<string, long>();
        foreach (var type in new[] { typeof(SpawnProtocol), typeof(ReportKind), typeof(SpawnStep) })
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                if (field.GetCustomAttribute<MirrorsAttribute>() is not { } mirror)
                    continue;
                var value = field.GetValue(null)!;
                Assert.True(mirrors.TryAdd(mirror.NativeName, Convert.ToInt64(value, CultureInfo.InvariantCulture)),
                    $"{mirror.NativeName} is mirrored twice");
            }
        }
        return mirrors;
    }

    [Fact]
    public void EveryHeaderConstantIsMirroredWithTheSameValue()
    {
        var header = HeaderConstants();
        var mirrored = MirroredConstants();
        foreach (var (name, value) in header)
        {
            Assert.True(mirrored.TryGetValue(name, out var mirror), $"{name} has no C# mirror: mark its C# twin with [Mirrors(\"{name}\")]");
            Assert.True(value == mirror, $"{name} is {value} in protocol.h but {mirror} in C#");
        }
        foreach (var name in mirrored.Keys)
            Assert.True(header.ContainsKey(name), $"C# mirrors {name}, which protocol.h does not define");
        // Every member of the mirrored enums is part of the protocol.
        Assert.Equal(Enum.GetValues<ReportKind>().Length + Enum.GetValues<SpawnStep>().Length,
            mirrored.Keys.Count(k => k.StartsWith("BENTO_MSG_", StringComparison.Ordinal) && !k.StartsWith("BENTO_MSG_MAGIC", StringComparison.Ordinal)
                && !k.StartsWith("BENTO_MSG_HEADER", StringComparison.Ordinal) && !k.StartsWith("BENTO_MSG_MAX", StringComparison.Ordinal)
                || k.StartsWith("BENTO_STEP_", StringComparison.Ordinal)));
    }

    [Fact]
    public unsafe void RequestStructHasTheNativeSize()
    {
        var library = NativeLibrary.Load(ShimBuild.SpawnLibraryPath);
        try
        {
            var size = ((delegate* unmanaged<uint>)NativeLibrary.GetExport(library, "bento_spawn_request_size"))();
            Assert.Equal((uint)sizeof(SpawnLibrary.Request), size);
        }
        finally
        {
            NativeLibrary.Free(library);
        }
    }

    [Fact]
    public void ReportMessagesRoundTrip()
    {
        var message = ReportMessage.InitFailed(InitStep.Overlay, 22, "mount overlay on 'x'");
        var (read, write) = Libc.Pipe();
        using (read)
        {
            using (write)
                Libc.WriteAll(write.Fd, message.Encode(), "pipe");
            Assert.Equal(message, ReportMessage.Read(read));
            Assert.Null(ReportMessage.Read(read));
        }
    }
}
