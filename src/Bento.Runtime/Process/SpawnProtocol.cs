namespace Bento.Runtime.Process;

/// <summary>
/// The constants of native/bento-spawn/protocol.h, mirrored (a test parses the header and compares).
/// </summary>
/// <remarks>
/// How a container starts: three processes, two pipes besides its stdio.
/// <code>
///  monitor (bento-shim run)        native child (spawn.c)           init (bento-shim init)       command
///  ───────────────────────         ──────────────────────           ──────────────────────       ───────
///  pipes: stdout, stderr,
///  report, sync; memfd = sealed
///  copy of its own binary
///  bento_spawn() ── clone(NEW*) ──▶ signals to default, PDEATHSIG
///                                   fds → 0 1 2 | 3 report | 4 memfd | 5 sync, close the rest
///  close the child's ends           read(sync) ... blocks
///  rootless: setgroups=deny,
///  uid_map, gid_map
///  write GO on sync ──────────────▶ execveat(memfd, "")  ─────────▶ report fd → close-on-exec
///                                   on failure: SPAWN_FAILED        overlay, mounts, pivot_root,
///                                   {step, errno}, exit 125 ──┐     hostname, lo, caps, NNP
///                                                             │     command in PATH?
///                                                             │     no: COMMAND_NOT_FOUND ─┐
///                                                             │     execve(command) ───────┼──▶ pid 1
///  read(report): a message ◀──────────────────────────────────┴────────────────────────────┘
///  (fail the start) or end-of-file: every writer is gone, the command runs
///  state.json: Running, "started &lt;pid&gt;" to the starter; pump stdout/stderr to log.jsonl;
///  waitpid; state.json: Exited + exit code
/// </code>
/// </remarks>
internal static class SpawnProtocol
{
    public const int AbiVersion = 1;
    public const int MaxJoinNamespaces = 8;

    public const int ReportFd = 3;
    public const int ExecFd = 4;
    public const int SyncFd = 5;
    public const int FirstFreeFd = 6;

    public const byte SyncGo = 0x47;

    public const uint MessageMagic = 0x4f544e42;
    public const int MessageHeaderSize = 20;
    public const int MaxDetailLength = 4096;

    public const int SpawnExitFailed = 125;
}

/// <summary>BENTO_MSG_*: what a report message says.</summary>
internal enum ReportKind : uint
{
    SpawnFailed = 1,
    InitFailed = 2,
    CommandNotFound = 3,
}

/// <summary>BENTO_STEP_*: where the native child failed.</summary>
internal enum SpawnStep
{
    Signals = 1,
    JoinNamespace = 2,
    ParentDeathSignal = 3,
    MoveFds = 4,
    CloseFds = 5,
    Sync = 6,
    Exec = 7,
}

/// <summary>Where the init stage failed (C# only: the native side never sends these).</summary>
internal enum InitStep
{
    ReadSpec = 100,
    Overlay,
    Mounts,
    Devices,
    PivotRoot,
    MaskPaths,
    ReadonlyPaths,
    Hostname,
    Network,
    Rlimits,
    User,
    WorkingDirectory,
    Capabilities,
    Exec,
}
