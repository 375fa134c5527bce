using System.Globalization;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Errors;
using Bento.Runtime.Process;

namespace Bento.Runtime.Containers;

/// <summary>The process of an exec, as a runtime spec: the container's process (capabilities, no_new_privs, rlimits,
/// user, environment, working directory) with the exec's command and overrides. Nothing but Process, Hostname,
/// the namespace list and the user annotation is carried: the exec joins a root that exists already.</summary>
internal static class ExecSpecBuilder
{
    public static RuntimeSpec Build(RuntimeSpec container, ExecOptions options, bool terminal, string? callerTerm = null)
    {
        if (options.Command.Count == 0 || string.IsNullOrEmpty(options.Command[0]))
            throw BentoErrors.InvalidArgument("Command", "No command given to run in the container.");
        var cwd = options.WorkingDirectory ?? container.Process.Cwd;
        if (!cwd.StartsWith('/'))
            throw BentoErrors.InvalidArgument("WorkingDirectory", $"The working directory '{cwd}' must be an absolute path in the container.");

        var process = container.Process;
        var userNamespace = container.HasNamespace(Namespaces.User.SpecType);
        var annotations = new Dictionary<string, string>();
        var user = process.User;
        if (options.User is not null)
        {
            ValidateUser(options.User, userNamespace ? container.Linux.UidMappings ?? [] : null);
            annotations[SpecAnnotations.User] = options.User;
            user = new SpecUser();
        }
        else if (container.Annotations?.GetValueOrDefault(SpecAnnotations.User) is { } containerUser)
        {
            annotations[SpecAnnotations.User] = containerUser;
        }

        return new RuntimeSpec
        {
            Process = new SpecProcess
            {
                Terminal = terminal,
                User = user,
                Args = [.. options.Command],
                Env = Environment(process.Env, options.Environment, terminal ? callerTerm ?? "xterm" : null),
                Cwd = cwd,
                Capabilities = process.Capabilities,
                Rlimits = process.Rlimits,
                NoNewPrivileges = process.NoNewPrivileges,
            },
            Hostname = container.Hostname,
            // The mappings only name what the joined user namespace maps, for messages.
            Linux = new SpecLinux { Namespaces = container.Linux.Namespaces, UidMappings = container.Linux.UidMappings, GidMappings = container.Linux.GidMappings },
            Annotations = annotations.Count > 0 ? annotations : null,
        };
    }

    /// <summary>The container's environment, then the exec's (later wins, by name, keeping the first position);
    /// TERM for a terminal when neither gives one.</summary>
    public static List<string> Environment(IEnumerable<string> container, IReadOnlyDictionary<string, string>? overrides, string? term)
    {
        var merged = new List<KeyValuePair<string, string>>();
        void Set(string name, string value)
        {
            var index = merged.FindIndex(p => p.Key == name);
            if (index >= 0) merged[index] = new(name, value);
            else merged.Add(new(name, value));
        }
        foreach (var entry in container)
        {
            var equals = entry.IndexOf('=');
            if (equals > 0) Set(entry[..equals], entry[(equals + 1)..]);
        }
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0') || value.Contains('\0'))
                throw BentoErrors.InvalidArgument(name, $"'{name}' is not a valid environment variable name or value.");
            Set(name, value);
        }
        if (term is not null && merged.All(p => p.Key != "TERM"))
            Set("TERM", term);
        return merged.Select(p => p.Key + "=" + p.Value).ToList();
    }

    /// <param name="uidMappings">The container's user namespace's, or null without one.</param>
    private static void ValidateUser(string user, List<SpecIdMapping>? uidMappings)
    {
        var parts = user.Split(':', 2);
        if (parts[0].Length == 0 || (parts.Length == 2 && parts[1].Length == 0) || user.Contains('\0'))
            throw BentoErrors.InvalidArgument("User", $"'{user}' is not a user: use name, uid, name:group or uid:gid.");
        if (uidMappings is not null && uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            && !SubordinateIds.IsMapped(uidMappings, uid))
            throw BentoErrors.InvalidArgument("User", SpecBuilder.UnmappedUser(user, uidMappings));
    }
}
