namespace Bento.Shim;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("bento-shim: not yet implemented");
        return 125;
    }
}
