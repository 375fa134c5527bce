using System.Management.Automation;
using Bento.Runtime;
using Bento.Runtime.Errors;
using Bento.Runtime.Interop;

namespace Bento.PowerShell;

/// <summary>Base of every Bento cmdlet: opens the store and turns runtime exceptions into ErrorRecords in one place.</summary>
public abstract class BentoCmdlet : PSCmdlet
{
    private BentoRuntime? _runtime;
    private readonly CancellationTokenSource _stopping = new();

    protected BentoRuntime Runtime => _runtime ??= BentoRuntime.OpenDefault();

    /// <summary>Cancelled when the user presses Ctrl+C (StopProcessing).</summary>
    protected CancellationToken CancelToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Runs one unit of work for one target; a failure becomes a non-terminating error so the pipeline goes on.</summary>
    protected void Try(object? target, Action work)
    {
        try
        {
            work();
        }
        catch (Exception e) when (IsExpected(e))
        {
            WriteError(ToErrorRecord(e, target));
        }
    }

    /// <summary>Like <see cref="Try"/> but stops the cmdlet: for failures after which nothing sensible can follow.</summary>
    protected void TryOrThrow(object? target, Action work)
    {
        try
        {
            work();
        }
        catch (Exception e) when (IsExpected(e))
        {
            ThrowTerminatingError(ToErrorRecord(e, target));
        }
    }

    /// <summary>The containers each entry names: a wildcard matches any number (none is no error), a name or id
    /// exactly one (ContainerNotFound otherwise). Newest first within a wildcard.</summary>
    protected IEnumerable<BentoContainer> ContainersNamed(IEnumerable<string> names)
    {
        IReadOnlyList<BentoContainer>? all = null;
        foreach (var name in names)
        {
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                all ??= Runtime.Containers.List().OrderByDescending(c => c.Created).ToList();
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                foreach (var c in all.Where(c => pattern.IsMatch(c.Name)))
                    yield return c;
                continue;
            }
            BentoContainer? found = null;
            Try(name, () => found = Runtime.Containers.Get(name));
            if (found is not null) yield return found;
        }
    }

    internal static ErrorRecord ToErrorRecord(Exception e, object? target) => e switch
    {
        BentoException b => new ErrorRecord(b, b.ErrorId, MapCategory(b.Category), target ?? b.Target),
        OperationCanceledException => new ErrorRecord(e, "OperationStopped", ErrorCategory.OperationStopped, target),
        UnauthorizedAccessException => new ErrorRecord(e, "PermissionDenied", ErrorCategory.PermissionDenied, target),
        ErrnoException { Errno: 1 or 13 } => new ErrorRecord(e, "PermissionDenied", ErrorCategory.PermissionDenied, target),
        _ => new ErrorRecord(e, "BentoIOError", ErrorCategory.WriteError, target),
    };

    private static bool IsExpected(Exception e) =>
        e is BentoException or IOException or UnauthorizedAccessException or OperationCanceledException;

    private static ErrorCategory MapCategory(BentoErrorCategory category) =>
        Enum.TryParse<ErrorCategory>(category.ToString(), out var mapped) ? mapped : ErrorCategory.NotSpecified;

    /// <summary>"name (id12)", the target text ShouldProcess shows.</summary>
    protected static string Describe(BentoContainer c) => $"{c.Name} ({c.ShortId})";

    protected static string Describe(BentoImage i) => $"{i.Name} ({i.ShortId})";
}
