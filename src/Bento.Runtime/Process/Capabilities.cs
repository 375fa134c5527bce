using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Process;

/// <summary>Linux capabilities by name, and how the init stage narrows its own to the spec's before exec.</summary>
internal static class Capabilities
{
    /// <summary>Index = capability number (linux/capability.h).</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Docker's default set: everything else is dropped from every set, the bounding set included.</summary>
    public static readonly IReadOnlyList<string> DockerDefault =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    public static ulong MaskOf(IEnumerable<string> names)
    {
        ulong mask = 0;
        foreach (var name in names)
        {
            var number = IndexOf(name);
            if (number < 0)
                throw new InitStepException(InitStep.Capabilities, Libc.EINVAL, $"unknown capability '{name}'");
            mask |= 1UL << number;
        }
        return mask;
    }

    private static int IndexOf(string name)
    {
        for (var i = 0; i < Names.Count; i++)
            if (Names[i] == name) return i;
        return -1;
    }

    /// <summary>Drops from the bounding set everything the spec does not keep. Must run while still privileged.</summary>
    public static void LimitBoundingSet(SpecCapabilities caps)
    {
        var keep = MaskOf(caps.Bounding);
        var last = LastCapability();
        for (var number = 0; number <= last; number++)
        {
            if ((keep & (1UL << number)) != 0)
                continue;
            if (Libc.prctl(Libc.PR_CAPBSET_DROP, (nuint)number, 0, 0, 0) != 0 &&
                System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Libc.EINVAL)
                throw InitStepException.LastError(InitStep.Capabilities, $"drop {NameOf(number)} from the bounding set");
        }
    }

    /// <summary>Sets effective, permitted and inheritable, then the ambient set. Capabilities are per thread: this
    /// must run on the thread that calls execve.</summary>
    public static unsafe void Apply(SpecCapabilities caps)
    {
        var effective = MaskOf(caps.Effective);
        var permitted = MaskOf(caps.Permitted);
        var inheritable = MaskOf(caps.Inheritable);
        var header = new Libc.CapUserHeader { Version = Libc.LINUX_CAPABILITY_VERSION_3, Pid = 0 };
        var data = stackalloc Libc.CapUserData[2];
        data[0] = new Libc.CapUserData { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new Libc.CapUserData { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) };
        if (Libc.capset(&header, data) != 0)
            throw InitStepException.LastError(InitStep.Capabilities, "capset");

        if (Libc.prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
            throw InitStepException.LastError(InitStep.Capabilities, "clear the ambient set");
        foreach (var name in caps.Ambient)
        {
            if (Libc.prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_RAISE, (nuint)IndexOf(name), 0, 0) != 0)
                throw InitStepException.LastError(InitStep.Capabilities, $"raise {name} in the ambient set");
        }
    }

    private static string NameOf(int number) => number < Names.Count ? Names[number] : $"capability {number}";

    private static int LastCapability()
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return Names.Count - 1;
        }
    }
}
