using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Bento.Runtime;

namespace Bento.PowerShell.Completers;

/// <summary>Tab completion of container names from the store.</summary>
public sealed class ContainerNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Complete(wordToComplete, () => BentoRuntime.OpenDefault().Containers.List().Select(c => (c.Name, $"{c.Name} ({c.State}, {c.Image})")));

    internal static IEnumerable<CompletionResult> Complete(string word, Func<IEnumerable<(string Name, string Tip)>> candidates)
    {
        var prefix = word.Trim('\'', '"');
        var pattern = new WildcardPattern(prefix + "*", WildcardOptions.IgnoreCase);
        IEnumerable<(string Name, string Tip)> all;
        try { all = candidates().ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Runtime.Errors.BentoException) { yield break; }
        foreach (var (name, tip) in all.Where(c => pattern.IsMatch(c.Name)).OrderBy(c => c.Name, StringComparer.Ordinal))
            yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, tip);
    }
}

/// <summary>Tab completion of image names from the store.</summary>
public sealed class ImageNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ContainerNameCompleter.Complete(wordToComplete, () => BentoRuntime.OpenDefault().Images.List().Select(i => (i.Name, $"{i.Name} ({i.ShortId})")));
}
