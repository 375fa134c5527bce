namespace Bento.Runtime.Process;

/// <summary>
/// The constants of native/bento-spawn/protocol.h, mirrored: each one names its #define with
/// <see cref="MirrorsAttribute"/>, and a test parses the header and compares both ways.
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
///  uid_map, gid_map (or
///  newuidmap/newgidmap for a
///  subordinate range)
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
    [Mirrors("BENTO_SPAWN_ABI_VERSION")]
    public const int AbiVersion = 2;
    [Mirrors("BENTO_SPAWN_MAX_JOIN")]
    public const int MaxJoinNamespaces = 8;

    [Mirrors("BENTO_FD_REPORT")]
    public const int ReportFd = 3;
    [Mirrors("BENTO_FD_EXEC")]
    public const int ExecFd = 4;
    [Mirrors("BENTO_FD_SYNC")]
    public const int SyncFd = 5;
    /// <summary>Exec only: the container's mount namespace, joined by exec-init's ELF constructor (join-mount.c).</summary>
    [Mirrors("BENTO_FD_MOUNT_NS")]
    public const int MountNamespaceFd = 6;
    [Mirrors("BENTO_FD_FIRST_FREE")]
    public const int FirstFreeFd = 7;

    [Mirrors("BENTO_SYNC_GO")]
    public const byte SyncGo = 0x47;

    [Mirrors("BENTO_MSG_MAGIC")]
    public const uint MessageMagic = 0x4f544e42;
    [Mirrors("BENTO_MSG_HEADER_SIZE")]
    public const int MessageHeaderSize = 20;
    [Mirrors("BENTO_MSG_MAX_DETAIL")]
    public const int MaxDetailLength = 4096;

    [Mirrors("BENTO_SPAWN_EXIT_FAILED")]
    public const int SpawnExitFailed = 125;
}

/// <summary>BENTO_MSG_*: what a report message says.</summary>
internal enum ReportKind : uint
{
    [Mirrors("BENTO_MSG_SPAWN_FAILED")]
    SpawnFailed = 1,
    [Mirrors("BENTO_MSG_INIT_FAILED")]
    InitFailed = 2,
    [Mirrors("BENTO_MSG_COMMAND_NOT_FOUND")]
    CommandNotFound = 3,
}

/// <summary>BENTO_STEP_*: where the native child failed.</summary>
internal enum SpawnStep
{
    [Mirrors("BENTO_STEP_SIGNALS")]
    Signals = 1,
    [Mirrors("BENTO_STEP_JOIN_NAMESPACE")]
    JoinNamespace = 2,
    [Mirrors("BENTO_STEP_PARENT_DEATH_SIGNAL")]
    ParentDeathSignal = 3,
    [Mirrors("BENTO_STEP_MOVE_FDS")]
    MoveFds = 4,
    [Mirrors("BENTO_STEP_CLOSE_FDS")]
    CloseFds = 5,
    [Mirrors("BENTO_STEP_SYNC")]
    Sync = 6,
    [Mirrors("BENTO_STEP_EXEC")]
    Exec = 7,
    /// <summary>Exec: the second fork, into the joined pid namespace.</summary>
    [Mirrors("BENTO_STEP_FORK")]
    Fork = 8,
    /// <summary>Exec: exec-init's constructor joining the mount namespace.</summary>
    [Mirrors("BENTO_STEP_JOIN_MOUNT")]
    JoinMount = 9,
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
