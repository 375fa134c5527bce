using Bento.Runtime.Images.Tar;
using Microsoft.Win32.SafeHandles;

namespace Bento.Runtime.Images.Sources;

/// <summary>An uncompressed tar archive (docker save, OCI archive), indexed once by reading only its headers; member
/// data is later read in place at its offset.</summary>
internal sealed class TarImageSource : ImageSource
{
    private readonly record struct Member(TarEntryKind Kind, long Offset, long Size, string LinkName);

    private readonly SafeFileHandle _file;
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly string? _ownedTempFile;

    private TarImageSource(string displayPath, SafeFileHandle file, string? ownedTempFile) : base(displayPath)
    {
        _file = file;
        _ownedTempFile = ownedTempFile;
    }

    /// <param name="ownedTempFile">A decompressed copy to delete on dispose, if the archive was compressed.</param>
    public static TarImageSource Open(string archivePath, string displayPath, CancellationToken cancellationToken, string? ownedTempFile = null)
    {
        var file = File.OpenHandle(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        var source = new TarImageSource(displayPath, file, ownedTempFile);
        try
        {
            source.Index(archivePath, cancellationToken);
            return source;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private void Index(string archivePath, CancellationToken cancellationToken)
    {
        // Its own descriptor: disposing a FileStream closes the handle it reads, and _file must stay open.
        using var stream = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        var reader = new TarStreamReader(stream, 64 << 10, seekOverData: true);
        while (reader.Next() is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = NormalizeMemberName(entry.Name);
            if (name is null)
                continue;
            // Later members replace earlier ones of the same name, as when tar extracts.
            _members[name] = new Member(entry.Kind, entry.DataOffset, entry.Size, entry.LinkName);
        }
        if (_members.Count == 0)
            throw new ImageFormatException("The archive is empty.");
    }

    /// <summary>"./blobs/sha256/x" and "blobs/sha256/x/" name the same member; names with ".." can never be looked up.</summary>
    private static string? NormalizeMemberName(string name)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Length == 0 || parts.Contains(".."))
            return null;
        return string.Join('/', parts);
    }

    protected override Node Lookup(string path)
    {
        if (!_members.TryGetValue(path, out var member))
            return new Node(NodeKind.Missing);
        return member.Kind switch
        {
            TarEntryKind.File => new Node(NodeKind.File),
            TarEntryKind.Directory => new Node(NodeKind.Directory),
            TarEntryKind.Symlink => new Node(NodeKind.Symlink, member.LinkName),
            TarEntryKind.HardLink => new Node(NodeKind.HardLink, member.LinkName),
            _ => new Node(NodeKind.Missing),
        };
    }

    protected override BlobLocation Open(string path)
    {
        var member = _members[path];
        return new BlobLocation(_file, member.Offset, member.Size, path);
    }

    public override void Dispose()
    {
        _file.Dispose();
        if (_ownedTempFile is not null)
        {
            try { File.Delete(_ownedTempFile); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
