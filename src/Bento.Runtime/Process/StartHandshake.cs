using System.Text.Json;
using System.Text.Json.Serialization;
using Bento.Runtime.Errors;

namespace Bento.Runtime.Process;

/// <summary>Why a start failed, as the monitor tells the starter: a typed error, never a bare string.</summary>
internal sealed class StartFailure
{
    /// <summary>A SPEC ErrorId (CommandNotFound, UnsupportedHost, …) or ContainerStartFailed.</summary>
    public string ErrorId { get; set; } = StartFailed;
    public string Message { get; set; } = "";
    public string? Target { get; set; }
    /// <summary>The spawn or init step that failed, and its errno, for diagnostics.</summary>
    public int? Step { get; set; }
    public int? Errno { get; set; }

    public const string StartFailed = "ContainerStartFailed";

    public BentoException ToException()
    {
        var category = ErrorId switch
        {
            "CommandNotFound" => BentoErrorCategory.ObjectNotFound,
            "UnsupportedHost" => BentoErrorCategory.NotInstalled,
            "InvalidArgument" => BentoErrorCategory.InvalidArgument,
            "InvalidContainerState" => BentoErrorCategory.InvalidOperation,
            _ => BentoErrorCategory.InvalidOperation,
        };
        return new BentoException(ErrorId, category, Message, Target);
    }
}

/// <summary>
/// The monitor's single line on its stdout to the process that started it, after which it detaches:
/// <c>started &lt;pid&gt;</c> or <c>failed {json StartFailure}</c>.
/// </summary>
internal static class StartHandshake
{
    private const string StartedWord = "started ";
    private const string FailedWord = "failed ";

    public static string Started(int pid) => StartedWord + pid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Failed(StartFailure failure) =>
        FailedWord + JsonSerializer.Serialize(failure, HandshakeJsonContext.Default.StartFailure);

    /// <summary>The container's host pid, or throws the failure the line carries.</summary>
    public static int Parse(string? line, string containerName, string diagnostics)
    {
        if (line is not null && line.StartsWith(StartedWord, StringComparison.Ordinal) &&
            int.TryParse(line.AsSpan(StartedWord.Length), System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0)
            return pid;
        if (line is not null && line.StartsWith(FailedWord, StringComparison.Ordinal))
        {
            StartFailure? failure = null;
            try
            {
                failure = JsonSerializer.Deserialize(line.AsSpan(FailedWord.Length), HandshakeJsonContext.Default.StartFailure);
            }
            catch (JsonException)
            {
            }
            if (failure is not null)
                throw failure.ToException();
        }
        var why = string.IsNullOrWhiteSpace(diagnostics) ? "it exited without saying why" : diagnostics.Trim();
        throw new BentoException(StartFailure.StartFailed, BentoErrorCategory.InvalidOperation,
            $"The monitor of container '{containerName}' failed: {why}", containerName);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StartFailure))]
internal sealed partial class HandshakeJsonContext : JsonSerializerContext;
