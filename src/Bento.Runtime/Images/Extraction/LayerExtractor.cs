using System.Runtime.InteropServices;
using Bento.Runtime.Errors;
using Bento.Runtime.Images.Tar;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Images.Extraction;

/// <summary>
/// Writes one layer's tar stream into an empty directory that only this extractor touches.
///
/// Safety rests on two things. First, every name created is remembered with its kind, so the extractor knows
/// without asking the disk whether a path component is a symlink; an entry that would be written through one is
/// refused. Second, as a kernel-enforced backstop, parent directories are opened with openat2's
/// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS and every entry is then created relative to that descriptor with calls
/// that never follow a final symlink (O_NOFOLLOW, mknodat, symlinkat, AT_SYMLINK_NOFOLLOW).
///
/// Directory modes and times are applied last (deepest first): creating children changes a directory's mtime, and
/// an unprivileged user could not create files in a directory whose final mode is read-only.
/// </summary>
internal sealed class LayerExtractor : IDisposable
{
    private enum Node : byte
    {
        Directory,
        File,
        Symlink,
        /// <summary>Device, fifo or whiteout.</summary>
        Special,
    }

    private readonly record struct DirectoryMetadata(uint Mode, Libc.Timespec? Accessed, Libc.Timespec? Modified);

    /// <summary>Mode of a directory the layer never describes but has entries in (as GNU tar and docker do).</summary>
    private const uint ImplicitDirectoryMode = 0x1ED; // 0755
    private const uint CreationMode = 0x1C0; // 0700: only the final pass opens directories up
    private static readonly int WriteFlags = Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
    private static readonly int DirectoryFlags = Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
    /// <summary>Null until tried; false where the kernel (before 5.6) or a seccomp filter refuses openat2.</summary>
    private static bool? s_openat2Available;

    private readonly string _root;
    private readonly string _layerName;
    private readonly bool _privileged;
    private readonly SafeFdHandle _rootFd;
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal) { [""] = Node.Directory };
    private readonly Dictionary<string, DirectoryMetadata> _directories = new(StringComparer.Ordinal);
    private string? _parentPath;
    private SafeFdHandle? _parentFd;

    /// <param name="root">An existing, empty directory.</param>
    /// <param name="layerName">Names the layer in error messages.</param>
    /// <param name="privileged">Root: keeps the archive's owners, creates device nodes, uses trusted.* overlay xattrs.</param>
    public LayerExtractor(string root, string layerName, bool privileged)
    {
        _root = root;
        _layerName = layerName;
        _privileged = privileged;
        var fd = Libc.openat(Libc.AT_FDCWD, root, DirectoryFlags, 0);
        if (fd < 0)
            throw ErrnoException.FromLastError("open", root);
        _rootFd = new SafeFdHandle(fd);
        _directories[""] = new DirectoryMetadata(ImplicitDirectoryMode, null, null);
    }

    /// <summary>Number of members extracted, for tests and diagnostics.</summary>
    public int EntryCount { get; private set; }

    public void ExtractEntries(TarStreamReader reader, CancellationToken cancellationToken)
    {
        while (reader.Next() is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ExtractEntry(reader, entry);
            EntryCount++;
        }
    }

    /// <summary>Applies directory modes and times, deepest first, once every entry is in place.</summary>
    public void FinishDirectories()
    {
        DropParentCache();
        foreach (var (path, metadata) in _directories.OrderByDescending(d => LayerPath.Depth(d.Key)))
        {
            if (!_nodes.TryGetValue(path, out var node) || node != Node.Directory)
                continue;
            using var owned = path.Length == 0 ? null : OpenBeneath(path, path);
            var fd = owned?.Fd ?? _rootFd.Fd;
            Check(Libc.fchmod(fd, metadata.Mode), "chmod", path);
            if (metadata.Modified is { } modified)
                SetTimes(fd, metadata.Accessed ?? modified, modified, path);
        }
    }

    public void Dispose()
    {
        DropParentCache();
        _rootFd.Dispose();
    }

    private void ExtractEntry(TarStreamReader reader, TarEntryHeader entry)
    {
        if (entry.Kind == TarEntryKind.Other)
            return;
        var path = LayerPath.Normalize(entry.Name, out var reason) ?? throw Unsafe(entry.Name, reason!);
        if (path.Length == 0)
        {
            if (entry.Kind != TarEntryKind.Directory)
                throw Unsafe(entry.Name, "it would replace the layer's root directory");
            if (_privileged && OwnerOf(entry) is var (rootUid, rootGid))
                Chown(Libc.fchown(_rootFd.Fd, rootUid, rootGid), entry, path);
            _directories[""] = DirectoryMetadataOf(entry);
            return;
        }

        var (parentPath, leaf) = LayerPath.Split(path);
        if (Whiteouts.IsWhiteout(leaf))
        {
            ExtractWhiteout(entry, parentPath, leaf);
            return;
        }
        var parent = OpenParent(parentPath, entry.Name);
        switch (entry.Kind)
        {
            case TarEntryKind.Directory:
                ExtractDirectory(entry, parent, path, leaf);
                break;
            case TarEntryKind.File:
                ExtractFile(reader, entry, parent, path, leaf);
                break;
            case TarEntryKind.Symlink:
                ExtractSymlink(entry, parent, path, leaf);
                break;
            case TarEntryKind.HardLink:
                ExtractHardLink(entry, parent, path, leaf);
                break;
            case TarEntryKind.CharDevice or TarEntryKind.BlockDevice when !_privileged:
                // Only root may make device nodes; an empty file keeps the name visible, as rootless podman does.
                ExtractFile(reader, entry, parent, path, leaf);
                break;
            default:
                ExtractSpecial(reader, entry, parent, path, leaf);
                break;
        }
    }

    private void ExtractDirectory(TarEntryHeader entry, int parent, string path, string leaf)
    {
        if (!ReplaceExisting(parent, path, leaf, Node.Directory))
        {
            Check(Libc.mkdirat(parent, leaf, CreationMode), "mkdir", path);
            _nodes[path] = Node.Directory;
        }
        if (_privileged && OwnerOf(entry) is var (uid, gid))
            Chown(Libc.fchownat(parent, leaf, uid, gid, Libc.AT_SYMLINK_NOFOLLOW), entry, path);
        if (entry.Xattrs is { Count: > 0 })
        {
            var fd = Libc.openat(parent, leaf, DirectoryFlags, 0);
            if (fd < 0)
                throw ErrnoException.FromLastError("open", path);
            using var handle = new SafeFdHandle(fd);
            SetXattrs(entry, handle.Fd, null, path);
        }
        _directories[path] = DirectoryMetadataOf(entry);
    }

    private unsafe void ExtractFile(TarStreamReader reader, TarEntryHeader entry, int parent, string path, string leaf)
    {
        ReplaceExisting(parent, path, leaf, Node.File);
        var fd = Libc.openat(parent, leaf, WriteFlags, 0x180 /* 0600 until fchmod */);
        if (fd < 0)
            throw ErrnoException.FromLastError("create", path);
        using var handle = new SafeFdHandle(fd);
        _nodes[path] = Node.File;
        while (reader.TryReadData(out var chunk))
        {
            fixed (byte* start = chunk)
            {
                var remaining = chunk.Length;
                var pointer = start;
                while (remaining > 0)
                {
                    var written = Libc.write(fd, pointer, (nuint)remaining);
                    if (written < 0)
                    {
                        if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                            continue;
                        throw ErrnoException.FromLastError("write", path);
                    }
                    remaining -= (int)written;
                    pointer += written;
                }
            }
        }
        if (_privileged && OwnerOf(entry) is var (uid, gid))
            Chown(Libc.fchown(fd, uid, gid), entry, path);
        // After chown, which clears setuid and setgid bits.
        Check(Libc.fchmod(fd, entry.Mode), "chmod", path);
        SetXattrs(entry, fd, null, path);
        var (accessed, modified) = TimesOf(entry);
        SetTimes(fd, accessed, modified, path);
    }

    private unsafe void ExtractSymlink(TarEntryHeader entry, int parent, string path, string leaf)
    {
        if (entry.LinkName.Length == 0 || entry.LinkName.Contains('\0'))
            throw new InvalidDataException($"The symlink '{entry.Name}' in layer {_layerName} has no valid target.");
        ReplaceExisting(parent, path, leaf, Node.Symlink);
        // The target is stored, never followed: where it points does not matter at extraction time.
        Check(Libc.symlinkat(entry.LinkName, parent, leaf), "symlink", path);
        _nodes[path] = Node.Symlink;
        if (_privileged && OwnerOf(entry) is var (uid, gid))
            Chown(Libc.fchownat(parent, leaf, uid, gid, Libc.AT_SYMLINK_NOFOLLOW), entry, path);
        SetXattrs(entry, -1, ProcPath(parent, leaf), path);
        var (accessed, modified) = TimesOf(entry);
        var times = stackalloc Libc.Timespec[2] { accessed, modified };
        Check(Libc.utimensat(parent, leaf, times, Libc.AT_SYMLINK_NOFOLLOW), "set times of", path);
    }

    private void ExtractHardLink(TarEntryHeader entry, int parent, string path, string leaf)
    {
        var target = LayerPath.Normalize(entry.LinkName, out var reason)
            ?? throw Unsafe(entry.Name, $"its hard link target '{entry.LinkName}' is unsafe ({reason})");
        if (target.Length == 0)
            throw Unsafe(entry.Name, "it is a hard link to the layer's root directory");
        foreach (var ancestor in LayerPath.Ancestors(target))
        {
            if (_nodes.TryGetValue(ancestor, out var kind) && kind == Node.Symlink)
                throw Unsafe(entry.Name, $"its hard link target '{entry.LinkName}' goes through the symlink '{ancestor}'");
        }
        if (!_nodes.TryGetValue(target, out var targetKind))
            throw new InvalidDataException($"The hard link '{entry.Name}' in layer {_layerName} points to '{entry.LinkName}', which is not in the layer.");
        if (targetKind == Node.Directory)
            throw new InvalidDataException($"The hard link '{entry.Name}' in layer {_layerName} points to a directory.");
        if (target == path)
            return;

        ReplaceExisting(parent, path, leaf, targetKind);
        // ReplaceExisting may have dropped the cached parent; reopen it if so.
        parent = OpenParent(LayerPath.Split(path).Parent, entry.Name);
        var (targetParent, targetLeaf) = LayerPath.Split(target);
        using var targetParentFd = targetParent.Length == 0 ? null : OpenBeneath(targetParent, entry.Name);
        // Flags 0: link the target itself, even when it is a symlink; never what it points to.
        Check(Libc.linkat(targetParentFd?.Fd ?? _rootFd.Fd, targetLeaf, parent, leaf, 0), "link", path);
        _nodes[path] = targetKind;
    }

    private unsafe void ExtractSpecial(TarStreamReader reader, TarEntryHeader entry, int parent, string path, string leaf)
    {
        var type = entry.Kind switch
        {
            TarEntryKind.CharDevice => Libc.S_IFCHR,
            TarEntryKind.BlockDevice => Libc.S_IFBLK,
            _ => Libc.S_IFIFO,
        };
        ReplaceExisting(parent, path, leaf, Node.Special);
        if (Libc.mknodat(parent, leaf, type | (entry.Mode & 0x1FF), Libc.MakeDev(entry.DevMajor, entry.DevMinor)) < 0)
        {
            if (Marshal.GetLastPInvokeError() == Libc.EPERM && type != Libc.S_IFIFO)
            {
                // Root without CAP_MKNOD (inside a container, say): fall back to the rootless placeholder.
                ExtractFile(reader, entry, parent, path, leaf);
                return;
            }
            throw ErrnoException.FromLastError("mknod", path);
        }
        _nodes[path] = Node.Special;
        if (_privileged && OwnerOf(entry) is var (uid, gid))
            Chown(Libc.fchownat(parent, leaf, uid, gid, Libc.AT_SYMLINK_NOFOLLOW), entry, path);
        // Safe to follow: the name was just made by mknodat, which never creates or follows a symlink.
        Check(Libc.fchmodat(parent, leaf, entry.Mode, 0), "chmod", path);
        SetXattrs(entry, -1, ProcPath(parent, leaf), path);
        var (accessed, modified) = TimesOf(entry);
        var times = stackalloc Libc.Timespec[2] { accessed, modified };
        Check(Libc.utimensat(parent, leaf, times, Libc.AT_SYMLINK_NOFOLLOW), "set times of", path);
    }

    private unsafe void ExtractWhiteout(TarEntryHeader entry, string parentPath, string leaf)
    {
        var kind = Whiteouts.Classify(leaf, out var hidden, out var reason);
        if (reason is not null)
            throw Unsafe(entry.Name, reason);
        if (kind == Whiteouts.Kind.Metadata)
            return;
        var parent = OpenParent(parentPath, entry.Name);
        if (kind == Whiteouts.Kind.Opaque)
        {
            var value = "y"u8;
            fixed (byte* pointer = value)
            {
                if (Libc.fsetxattr(parent, Whiteouts.OpaqueXattr(_privileged), pointer, (nuint)value.Length, 0) < 0)
                    throw ErrnoException.FromLastError($"set {Whiteouts.OpaqueXattr(_privileged)} on", parentPath.Length == 0 ? "/" : parentPath);
            }
            return;
        }

        var hiddenPath = LayerPath.Join(parentPath, hidden);
        // Whiteouts hide lower layers only; a name this layer itself provides stays.
        if (_nodes.ContainsKey(hiddenPath))
            return;
        if (Libc.mknodat(parent, hidden, Libc.S_IFCHR, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() == Libc.EPERM)
                throw BentoErrors.UnsupportedHost("This kernel does not let unprivileged users create overlay whiteouts (a 0/0 character device).",
                    "Use Linux 5.8 or later, or import as root.");
            throw ErrnoException.FromLastError("create whiteout", hiddenPath);
        }
        _nodes[hiddenPath] = Node.Special;
    }

    /// <summary>Clears the way for a new entry at <paramref name="path"/>. Returns true when an existing directory
    /// should be kept (a directory entry over a directory only updates its metadata).</summary>
    private bool ReplaceExisting(int parent, string path, string leaf, Node replacement)
    {
        if (!_nodes.TryGetValue(path, out var existing))
            return false;
        if (existing == Node.Directory)
        {
            if (replacement == Node.Directory)
                return true;
            RemoveTree(path);
            return false;
        }
        if (Libc.unlinkat(parent, leaf, 0) < 0 && Marshal.GetLastPInvokeError() != Libc.ENOENT)
            throw ErrnoException.FromLastError("remove", path);
        _nodes.Remove(path);
        return false;
    }

    private void RemoveTree(string path)
    {
        if (_parentPath is not null && (_parentPath == path || _parentPath.StartsWith(path + "/", StringComparison.Ordinal)))
            DropParentCache();
        // Every component of the path is a directory this extractor made (none is a symlink), and removal does not
        // follow symlinks inside the tree.
        TreeRemover.Delete(Path.Combine(_root, path));
        var prefix = path + "/";
        foreach (var key in _nodes.Keys.Where(k => k == path || k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            _nodes.Remove(key);
            _directories.Remove(key);
        }
    }

    /// <summary>The descriptor of an entry's parent directory, creating missing directories on the way.</summary>
    private int OpenParent(string parentPath, string entryName)
    {
        if (parentPath.Length == 0)
            return _rootFd.Fd;
        if (_parentPath == parentPath && _parentFd is not null)
            return _parentFd.Fd;

        // Find how much of the chain exists as directories; a symlink anywhere on it is fatal.
        var components = parentPath.Split('/');
        var existing = 0;
        var prefix = "";
        for (; existing < components.Length; existing++)
        {
            var next = LayerPath.Join(prefix, components[existing]);
            var found = _nodes.TryGetValue(next, out var kind);
            if (found && kind == Node.Symlink)
                throw Unsafe(entryName, $"it would be written through the symlink '{next}'");
            if (!found || kind != Node.Directory)
                break;
            prefix = next;
        }
        for (var i = existing + 1; i < components.Length; i++)
        {
            var deeper = string.Join('/', components, 0, i + 1);
            if (_nodes.TryGetValue(deeper, out var kind) && kind == Node.Symlink)
                throw Unsafe(entryName, $"it would be written through the symlink '{deeper}'");
        }

        DropParentCache();
        var current = prefix.Length == 0 ? null : OpenBeneath(prefix, entryName);
        try
        {
            for (var i = existing; i < components.Length; i++)
            {
                var fd = current?.Fd ?? _rootFd.Fd;
                var name = components[i];
                var path = LayerPath.Join(prefix, name);
                if (_nodes.ContainsKey(path))
                {
                    // A file or device where the layer now puts a directory: the later entry wins.
                    if (Libc.unlinkat(fd, name, 0) < 0 && Marshal.GetLastPInvokeError() != Libc.ENOENT)
                        throw ErrnoException.FromLastError("remove", path);
                    _nodes.Remove(path);
                }
                Check(Libc.mkdirat(fd, name, CreationMode), "mkdir", path);
                _nodes[path] = Node.Directory;
                _directories[path] = new DirectoryMetadata(ImplicitDirectoryMode, null, null);
                var child = Libc.openat(fd, name, DirectoryFlags, 0);
                if (child < 0)
                    throw ErrnoException.FromLastError("open", path);
                current?.Dispose();
                current = new SafeFdHandle(child);
                prefix = path;
            }
        }
        catch
        {
            current?.Dispose();
            throw;
        }
        _parentPath = parentPath;
        _parentFd = current;
        return current!.Fd;
    }

    /// <summary>Opens a directory inside the layer; the kernel refuses any symlink on the way or an escape.</summary>
    private SafeFdHandle OpenBeneath(string path, string entryName)
    {
        if (s_openat2Available != false)
        {
            var how = new Libc.OpenHow
            {
                Flags = (ulong)DirectoryFlags,
                Resolve = Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS,
            };
            var fd = Libc.openat2(_rootFd.Fd, path, how);
            if (fd >= 0)
            {
                s_openat2Available = true;
                return new SafeFdHandle(fd);
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.ELOOP or Libc.EXDEV)
                throw Unsafe(entryName, $"'{path}' is or goes through a symlink");
            if (errno is not (Libc.ENOSYS or Libc.EPERM))
                throw new ErrnoException("open", errno, path);
            s_openat2Available = false;
        }

        // No openat2: walk one component at a time, refusing a symlink at each step.
        SafeFdHandle? current = null;
        try
        {
            foreach (var name in path.Split('/'))
            {
                var fd = Libc.openat(current?.Fd ?? _rootFd.Fd, name, DirectoryFlags, 0);
                if (fd < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is Libc.ELOOP or Libc.ENOTDIR)
                        throw Unsafe(entryName, $"'{path}' is or goes through a symlink");
                    throw new ErrnoException("open", errno, path);
                }
                current?.Dispose();
                current = new SafeFdHandle(fd);
            }
            return current!;
        }
        catch
        {
            current?.Dispose();
            throw;
        }
    }

    private void DropParentCache()
    {
        _parentFd?.Dispose();
        _parentFd = null;
        _parentPath = null;
    }

    private unsafe void SetXattrs(TarEntryHeader entry, int fd, string? procPath, string path)
    {
        if (entry.Xattrs is not { Count: > 0 } xattrs)
            return;
        foreach (var (name, value) in xattrs)
        {
            if (Whiteouts.IsReservedXattr(name))
                continue;
            int result;
            fixed (byte* pointer = value)
                result = procPath is null
                    ? Libc.fsetxattr(fd, name, pointer, (nuint)value.Length, 0)
                    : Libc.lsetxattr(procPath, name, pointer, (nuint)value.Length, 0);
            if (result < 0)
            {
                // Unprivileged users may not set security.* or trusted.*, and some file systems have no xattrs:
                // the file is still correct without them.
                var errno = Marshal.GetLastPInvokeError();
                if (errno is not (Libc.EPERM or Libc.EOPNOTSUPP or Libc.EACCES))
                    throw new ErrnoException($"set xattr {name} on", errno, path);
            }
        }
    }

    /// <summary>A path naming <paramref name="leaf"/> inside an open directory without re-resolving its parents.</summary>
    private static string ProcPath(int parent, string leaf) => $"/proc/self/fd/{parent}/{leaf}";

    private static unsafe void SetTimes(int fd, Libc.Timespec accessed, Libc.Timespec modified, string path)
    {
        var times = stackalloc Libc.Timespec[2] { accessed, modified };
        Check(Libc.futimens(fd, times), "set times of", path);
    }

    private static (uint Uid, uint Gid)? OwnerOf(TarEntryHeader entry) =>
        entry.Uid is >= 0 and < uint.MaxValue && entry.Gid is >= 0 and < uint.MaxValue ? ((uint)entry.Uid, (uint)entry.Gid) : null;

    private static (Libc.Timespec Accessed, Libc.Timespec Modified) TimesOf(TarEntryHeader entry)
    {
        var modified = new Libc.Timespec { Seconds = entry.ModifiedSeconds, Nanoseconds = entry.ModifiedNanoseconds };
        var accessed = entry.AccessSeconds is { } seconds ? new Libc.Timespec { Seconds = seconds, Nanoseconds = entry.AccessNanoseconds } : modified;
        return (accessed, modified);
    }

    private static DirectoryMetadata DirectoryMetadataOf(TarEntryHeader entry)
    {
        var (accessed, modified) = TimesOf(entry);
        return new DirectoryMetadata(entry.Mode, accessed, modified);
    }

    /// <summary>Ownership is best effort where the uid cannot exist (root in a user namespace without that mapping).</summary>
    private static void Chown(int result, TarEntryHeader entry, string path)
    {
        if (result < 0 && Marshal.GetLastPInvokeError() is not (Libc.EINVAL or Libc.EPERM))
            throw ErrnoException.FromLastError($"chown {entry.Uid}:{entry.Gid}", path);
    }

    private static void Check(int result, string operation, string path)
    {
        if (result < 0)
            throw ErrnoException.FromLastError(operation, path);
    }

    private BentoException Unsafe(string entryName, string reason) => BentoErrors.UnsafeLayerPath(_layerName, entryName, reason);
}
