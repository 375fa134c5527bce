using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>The spec's rlimits. The .NET runtime raised its own soft RLIMIT_NOFILE to the hard limit; without
/// this the container would inherit that instead of the usual 1024.</summary>
internal static class ResourceLimits
{
    private static readonly string[] Names =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    public static unsafe void Apply(IEnumerable<SpecRlimit>? limits)
    {
        foreach (var limit in limits ?? [])
        {
            var resource = Array.IndexOf(Names, limit.Type);
            if (resource < 0)
                throw new InitStepException(InitStep.Rlimits, Libc.EINVAL, $"unknown rlimit '{limit.Type}'");
            Libc.Rlimit current;
            if (Libc.prlimit(0, resource, null, &current) != 0)
                throw InitStepException.LastError(InitStep.Rlimits, $"read {limit.Type}");
            // Without CAP_SYS_RESOURCE in the initial namespace (rootless) a hard limit can only go down.
            var hard = Environment.IsPrivilegedProcess || limit.Hard <= current.Hard ? limit.Hard : current.Hard;
            var wanted = new Libc.Rlimit { Soft = Math.Min(limit.Soft, hard), Hard = hard };
            if (Libc.prlimit(0, resource, &wanted, null) != 0)
            {
                wanted.Hard = Math.Min(wanted.Hard, current.Hard);
                wanted.Soft = Math.Min(wanted.Soft, wanted.Hard);
                if (Libc.prlimit(0, resource, &wanted, null) != 0)
                    throw InitStepException.LastError(InitStep.Rlimits, $"set {limit.Type}");
            }
        }
    }
}
