using System.Collections;
using System.Management.Automation;

namespace Bento.PowerShell;

/// <summary>-Environment hashtables as the runtime wants them: string keys and values.</summary>
internal static class Hashtables
{
    public static IReadOnlyDictionary<string, string>? ToDictionary(Hashtable? table)
    {
        if (table is null) return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
            result[entry.Key.ToString() ?? ""] = LanguagePrimitives.ConvertTo<string>(entry.Value) ?? "";
        return result;
    }
}
