namespace Bento.Runtime.Process;

/// <summary>Names the #define in native/bento-spawn/protocol.h that a constant or enum member mirrors; a test
/// checks every define has exactly one mirror with the same value.</summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false)]
internal sealed class MirrorsAttribute(string nativeName) : Attribute
{
    public string NativeName { get; } = nativeName;
}
