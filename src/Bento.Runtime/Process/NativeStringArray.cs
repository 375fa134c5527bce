using System.Runtime.InteropServices;

namespace Bento.Runtime.Process;

/// <summary>A NULL-terminated char*[] of UTF-8 strings in unmanaged memory, as execve and bento_spawn take.</summary>
internal sealed unsafe class NativeStringArray : IDisposable
{
    private readonly nint[] _strings;

    public NativeStringArray(IReadOnlyList<string> values)
    {
        _strings = new nint[values.Count];
        Pointer = (byte**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(nint));
        for (var index = 0; index < values.Count; index++)
        {
            if (values[index].Contains('\0'))
                throw new ArgumentException($"'{values[index].Replace("\0", "\\0")}' contains a NUL character.", nameof(values));
            _strings[index] = Marshal.StringToCoTaskMemUTF8(values[index]);
            Pointer[index] = (byte*)_strings[index];
        }
    }

    public byte** Pointer { get; private set; }

    public void Dispose()
    {
        if (Pointer == null)
            return;
        foreach (var text in _strings)
            Marshal.FreeCoTaskMem(text);
        NativeMemory.Free(Pointer);
        Pointer = null;
    }
}
