using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Errors;
using Bento.Runtime.Interop;
using Bento.Runtime.Process;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Containers;

public sealed partial class ContainerManager
{
    /// <summary>Makes the container's directory (spec, record, state, empty upper/work) from an image. Costs the
    /// same for any image size: the layers are only referenced. Atomic: the directory appears complete under
    /// containers/ by one rename, or not at all.</summary>
    public BentoContainer Create(ContainerCreateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Name is not null && !ContainerNames.IsValid(options.Name))
            throw BentoErrors.InvalidArgument(options.Name,
                $"'{options.Name}' is not a valid container name: use letters, digits and _ . - (starting with a letter or digit).");
        if (options.Network is not null && !SpecBuilder.IsHostNetwork(options.Network) && !string.Equals(options.Network, "none", StringComparison.OrdinalIgnoreCase))
            throw BentoErrors.InvalidArgument(options.Network, $"Unknown network '{options.Network}': use 'none' (the default: loopback only) or 'host'.");
        if (options.Hostname is { } requested && (requested.Length is 0 or > MaxHostnameLength || requested.Any(c => c is '\0' or '/' || char.IsWhiteSpace(c))))
            throw BentoErrors.InvalidArgument(requested, $"'{requested}' is not a valid hostname: 1 to {MaxHostnameLength} characters, no blanks or slashes.");
        var rootless = !Environment.IsPrivilegedProcess;
        var userNamespace = options.UserNamespace ?? rootless;
        if (rootless && !userNamespace)
            throw BentoErrors.InvalidArgument("UserNamespace", "Without root, a container needs a user namespace.");

        // Outside the store lock: the image store may take it too, and it is not re-entrant.
        var image = Images.Get(options.Image);
        return CreateFrom(image, Images.LayerDirectories(image), options, rootless, userNamespace);
    }

    /// <summary>Create's work once the image is resolved; the seam tests use to run containers on a hand-made layer.</summary>
    internal BentoContainer CreateFrom(BentoImage image, IReadOnlyList<string> lowerDirs, ContainerCreateOptions options, bool rootless, bool userNamespace)
    {
        var id = ContainerNames.NewId();
        var created = DateTimeOffset.UtcNow;
        var (uid, gid) = (Libc.getuid(), Libc.getgid());
        // Root maps its own root alone (a user namespace it asked for); a user gets their subordinate range if granted.
        var (uidMappings, gidMappings) = userNamespace && !Environment.IsPrivilegedProcess
            ? SubordinateIds.MappingsFor(uid, gid, Environment.UserName)
            : (null, null);
        (RuntimeSpec Spec, ContainerRecord Record) Describe(string name)
        {
            // The kernel takes at most 64 bytes of hostname; a longer name still names the container.
            var hostname = options.Hostname ?? (name.Length <= MaxHostnameLength ? name : name[..MaxHostnameLength]);
            var spec = SpecBuilder.Build(image, options, hostname, userNamespace, uid, gid, uidMappings, gidMappings);
            return (spec, new ContainerRecord
            {
                Id = id,
                Name = name,
                Image = image.Name,
                ImageId = image.Id,
                Created = created,
                Hostname = hostname,
                Command = spec.Process.Args,
                Rootless = rootless,
                Tty = spec.Process.Terminal,
                LowerDirs = [.. lowerDirs],
                Layers = [.. image.Layers],
            });
        }
        var (spec, record) = Describe(options.Name ?? UnusedGeneratedName(Records().Select(r => r.Record.Name).ToHashSet(StringComparer.Ordinal)));

        Paths.EnsureCreated();
        var staging = Path.Combine(Paths.Temp, $"container-{id}");
        try
        {
            var files = new ContainerFiles(staging);
            // Private to its owner: the log and spec may hold secrets.
            ContainerDirectories.Create(staging, 0b111_000_000);
            // The upper dir's mode and owner become those of the container's "/".
            ContainerDirectories.Create(files.Upper, 0b111_101_101);
            ContainerDirectories.Create(files.Work, 0b111_000_000);
            ContainerDirectories.Create(files.RootFs, 0b111_101_101);
            files.WriteSpec(spec);
            files.WriteRecord(record);
            // No state.json: a container that never ran is Created.
            ExitWatch.Install(files);

            using (StoreLock.Acquire(Paths.LockFile))
            {
                var taken = Records().Select(r => r.Record.Name).ToHashSet(StringComparer.Ordinal);
                if (taken.Contains(record.Name))
                {
                    if (options.Name is not null)
                        throw BentoErrors.ContainerNameInUse(record.Name);
                    (spec, record) = Describe(UnusedGeneratedName(taken));
                    files.WriteSpec(spec);
                    files.WriteRecord(record);
                }
                foreach (var layer in lowerDirs)
                {
                    if (!Directory.Exists(layer))
                        throw BentoErrors.ImageNotFound(options.Image);
                }
                Directory.Move(staging, Paths.ContainerDir(id));
            }
        }
        catch
        {
            ContainerDirectories.TryDelete(staging);
            throw;
        }
        return Get(id);
    }

    /// <summary>HOST_NAME_MAX.</summary>
    private const int MaxHostnameLength = 64;

    private static string UnusedGeneratedName(HashSet<string> taken)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var candidate = ContainerNames.Generate();
            if (!taken.Contains(candidate))
                return candidate;
        }
        // Every adjective_noun pair may be taken in a big store: add digits, as Docker does.
        string numbered;
        do numbered = ContainerNames.Generate() + System.Security.Cryptography.RandomNumberGenerator.GetInt32(10, 100);
        while (taken.Contains(numbered));
        return numbered;
    }
}
