using System.Text.Json;
using System.Text.Json.Serialization;
using Bento.Runtime.Errors;

namespace Bento.Runtime.Process;

/// <summary>
/// Why `bento-shim exec` (an interactive exec, which owns the user's terminal) could not run the command: one
/// line <c>failed {json}</c> on its stderr, which is never the command's (the command writes to the PTY).
/// </summary>
internal sealed class ExecFailure
{
    public string ErrorId { get; set; } = ExecLauncher.ExecFailed;
    public BentoErrorCategory Category { get; set; } = BentoErrorCategory.InvalidOperation;
    public string Message { get; set; } = "";
    public string? Target { get; set; }

    private const string FailedWord = "failed ";

    public static string Line(BentoException e) => FailedWord + JsonSerializer.Serialize(
        new ExecFailure { ErrorId = e.ErrorId, Category = e.Category, Message = e.Message, Target = e.Target },
        ExecFailureJsonContext.Default.ExecFailure);

    /// <summary>The failure a line of the helper's stderr carries, or null for any other text.</summary>
    public static BentoException? Parse(string line)
    {
        if (!line.StartsWith(FailedWord, StringComparison.Ordinal))
            return null;
        try
        {
            var failure = JsonSerializer.Deserialize(line.AsSpan(FailedWord.Length), ExecFailureJsonContext.Default.ExecFailure);
            return failure is null ? null : new BentoException(failure.ErrorId, failure.Category, failure.Message, failure.Target);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(ExecFailure))]
internal sealed partial class ExecFailureJsonContext : JsonSerializerContext;
