namespace Bento.Runtime.Interop;

internal static partial class Libc
{
    internal const string Name = "libc";
}
