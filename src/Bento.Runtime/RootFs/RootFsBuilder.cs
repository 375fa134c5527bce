using System.Runtime.InteropServices;
using Bento.Runtime.Containers;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.RootFs;

/// <summary>
/// Builds the container's root inside its new mount namespace, as one readable pipeline:
/// isolate → overlay → mounts → devices → working directory → pivot_root → masked and read-only paths → read-only root.
/// Everything here happens in the init stage, after the clone: nothing of it is visible on the host.
/// </summary>
internal sealed class RootFsBuilder(ContainerFiles files, ContainerRecord record, RuntimeSpec spec)
{
    private readonly bool _inUserNamespace = spec.HasNamespace(Namespaces.User.SpecType);

    public void Build()
    {
        IsolateFromHost();
        var root = files.RootFs;
        Overlay.Mount(root, record.LowerDirs, files.Upper, files.Work, _inUserNamespace);
        foreach (var mount in spec.Mounts)
            MountOne(root, mount);
        CreateDevices(root);
        CreateWorkingDirectory(root);
        PivotRoot(root);
        MaskPaths();
        MakeReadonlyPaths();
        if (spec.Root.Readonly)
            SetAttributes("/", Libc.MOUNT_ATTR_RDONLY, recursive: false, InitStep.PivotRoot);
    }

    /// <summary>Nothing mounted from here on may propagate back to the host's mount table.</summary>
    private static void IsolateFromHost()
    {
        if (Libc.mount(null, "/", null, Libc.MS_REC | Libc.MS_PRIVATE, null) != 0)
            throw InitStepException.LastError(InitStep.Mounts, "make / private (mount --make-rprivate /)");
    }

    private void MountOne(string root, SpecMount mount)
    {
        if (!mount.Destination.StartsWith('/'))
            throw new InitStepException(InitStep.Mounts, Libc.EINVAL, $"the mount destination '{mount.Destination}' is not absolute");
        var options = MountOptions.Parse(mount.Options);
        var type = mount.Type ?? (options.IsBind ? "bind" : "none");
        var target = SecurePath.Join(root, mount.Destination);
        var sourceIsFile = options.IsBind && mount.Source is not null && File.Exists(mount.Source);
        CreateMountPoint(target, sourceIsFile, mount.Destination);

        if (options.IsBind || type == "bind")
        {
            BindMount(mount.Source ?? throw new InitStepException(InitStep.Mounts, Libc.EINVAL, $"the bind mount on '{mount.Destination}' has no source"),
                target, recursive: options.IsRecursive, options.BindAttributes);
        }
        else if (Libc.mount(mount.Source ?? type, target, type, options.Flags, options.Data) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // A user namespace may mount sysfs only if it owns the network namespace and sees all of /sys;
            // when the kernel refuses, the host's /sys bound read-only is what rootless runtimes fall back to.
            if (type == "sysfs" && errno is Libc.EPERM or Libc.EACCES && _inUserNamespace)
                BindMount("/sys", target, recursive: true, options.BindAttributes | Libc.MOUNT_ATTR_RDONLY);
            else
                throw new InitStepException(InitStep.Mounts, errno, $"mount {type} on '{mount.Destination}'");
        }
        if (options.Propagation != 0 && Libc.mount(null, target, null, options.Propagation, null) != 0)
            throw InitStepException.LastError(InitStep.Mounts, $"set the propagation of '{mount.Destination}'");
    }

    private static void CreateMountPoint(string target, bool asFile, string destination)
    {
        try
        {
            if (asFile)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (!File.Exists(target) && !Directory.Exists(target))
                    File.WriteAllBytes(target, []);
            }
            else
            {
                Directory.CreateDirectory(target);
            }
        }
        catch (IOException e)
        {
            throw new InitStepException(InitStep.Mounts, Libc.EIO, $"create the mount point '{destination}': {e.Message}");
        }
    }

    private static void BindMount(string source, string target, bool recursive, ulong attributes)
    {
        var flags = Libc.MS_BIND | (recursive ? Libc.MS_REC : 0);
        if (Libc.mount(source, target, null, flags, null) != 0)
            throw InitStepException.LastError(InitStep.Mounts, $"bind mount '{source}' on '{target}'");
        if (attributes != 0)
            SetAttributes(target, attributes, recursive, InitStep.Mounts);
    }

    /// <summary>mount_setattr adds restrictions to a whole tree at once and keeps the flags a user namespace
    /// locked; the older MS_REMOUNT would have to restate each of them exactly.</summary>
    private static void SetAttributes(string target, ulong attributes, bool recursive, InitStep step)
    {
        var attr = new Libc.MountAttr { AttrSet = attributes };
        if (Libc.mount_setattr(Libc.AT_FDCWD, target, recursive ? Libc.AT_RECURSIVE : 0, attr) != 0)
            throw InitStepException.LastError(step, $"set mount attributes of '{target}'");
    }

    private static void CreateDevices(string root)
    {
        var dev = SecurePath.Join(root, "/dev");
        foreach (var name in DeviceNodes.BoundFromHost)
        {
            var target = Path.Combine(dev, name);
            try
            {
                if (!File.Exists(target))
                    File.WriteAllBytes(target, []);
            }
            catch (IOException e)
            {
                throw new InitStepException(InitStep.Devices, Libc.EIO, $"create /dev/{name}: {e.Message}");
            }
            if (Libc.mount("/dev/" + name, target, null, Libc.MS_BIND, null) != 0)
                throw InitStepException.LastError(InitStep.Devices, $"bind mount /dev/{name}");
        }
        foreach (var (name, linkTarget) in DeviceNodes.Symlinks)
        {
            var link = Path.Combine(dev, name);
            if (new FileInfo(link).LinkTarget is not null || File.Exists(link) || Directory.Exists(link))
                continue;
            File.CreateSymbolicLink(link, linkTarget);
        }
    }

    /// <summary>Docker creates a missing WORKDIR rather than failing.</summary>
    private void CreateWorkingDirectory(string root)
    {
        var cwd = spec.Process.Cwd;
        if (!cwd.StartsWith('/'))
            throw new InitStepException(InitStep.WorkingDirectory, Libc.EINVAL, $"the working directory '{cwd}' is not absolute");
        try
        {
            Directory.CreateDirectory(SecurePath.Join(root, cwd));
        }
        catch (IOException e)
        {
            throw new InitStepException(InitStep.WorkingDirectory, Libc.EIO, $"create the working directory '{cwd}': {e.Message}");
        }
    }

    /// <summary>pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the container's
    /// tree, and chdir("/") leaves no directory handle of the host behind (CVE-2024-21626).</summary>
    private static void PivotRoot(string root)
    {
        if (Libc.chdir(root) != 0)
            throw InitStepException.LastError(InitStep.PivotRoot, $"chdir '{root}'");
        if (Libc.pivot_root(".", ".") != 0)
            throw InitStepException.LastError(InitStep.PivotRoot, "pivot_root");
        if (Libc.umount2(".", Libc.MNT_DETACH) != 0)
            throw InitStepException.LastError(InitStep.PivotRoot, "detach the old root");
        if (Libc.chdir("/") != 0)
            throw InitStepException.LastError(InitStep.PivotRoot, "chdir /");
    }

    /// <summary>Files get /dev/null bound over them, directories an empty read-only tmpfs.</summary>
    private void MaskPaths()
    {
        foreach (var path in spec.Linux.MaskedPaths ?? [])
        {
            var isDirectory = Directory.Exists(path);
            if (!isDirectory && !File.Exists(path))
                continue;
            var failed = isDirectory
                ? Libc.mount("tmpfs", path, "tmpfs", Libc.MS_RDONLY, null) != 0
                : Libc.mount("/dev/null", path, null, Libc.MS_BIND, null) != 0;
            if (failed)
                throw InitStepException.LastError(InitStep.MaskPaths, $"mask '{path}'");
        }
    }

    private void MakeReadonlyPaths()
    {
        foreach (var path in spec.Linux.ReadonlyPaths ?? [])
        {
            if (!Directory.Exists(path) && !File.Exists(path))
                continue;
            if (Libc.mount(path, path, null, Libc.MS_BIND | Libc.MS_REC, null) != 0)
                throw InitStepException.LastError(InitStep.ReadonlyPaths, $"bind '{path}' over itself");
            SetAttributes(path, Libc.MOUNT_ATTR_RDONLY, recursive: true, InitStep.ReadonlyPaths);
        }
    }
}
