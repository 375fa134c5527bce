/*
 * The wire contract between the Bento monitor (C#, bento-shim run), the native spawn step (spawn.c)
 * and the init stage (C#, bento-shim init).
 *
 * Every constant here is mirrored in src/Bento.Runtime/Process/SpawnProtocol.cs, and a test parses
 * this file to check that both sides agree; change them together.
 */
#ifndef BENTO_SPAWN_PROTOCOL_H
#define BENTO_SPAWN_PROTOCOL_H

#include <stdint.h>

/* Bumped whenever struct bento_spawn_request or the messages change shape. */
#define BENTO_SPAWN_ABI_VERSION 2

/* How many namespace fds one request may join (exec into a running container). */
#define BENTO_SPAWN_MAX_JOIN 8

/*
 * The child's descriptor table just before it executes the init stage. Everything else is closed.
 * Only the report pipe survives that exec; init marks it close-on-exec itself, so its end-of-file
 * tells the monitor that the container's own command has been executed.
 */
#define BENTO_FD_REPORT 3
#define BENTO_FD_EXEC 4 /* sealed memfd of the init stage binary, close-on-exec */
#define BENTO_FD_SYNC 5 /* read end of the sync pipe, close-on-exec */
/*
 * Exec only: the container's mount namespace. The executed stage is dynamically linked, so the kernel loads
 * its interpreter and libraries from the current root; the host's must still be that root at execveat. The
 * stage joins this namespace itself from an ELF constructor (native/bento-spawn/join-mount.c), before the
 * .NET runtime starts its first thread, and closes it.
 */
#define BENTO_FD_MOUNT_NS 6
#define BENTO_FD_FIRST_FREE 7

/* The one byte the monitor writes on the sync pipe once the child's uid/gid maps are in place. */
#define BENTO_SYNC_GO 0x47

/*
 * Report messages: a fixed header, then detail_length bytes of UTF-8 detail.
 * All fields are in host byte order; both ends run on the same machine.
 */
#define BENTO_MSG_MAGIC 0x4f544e42u /* "BNTO" read as a little-endian u32 */
#define BENTO_MSG_HEADER_SIZE 20
#define BENTO_MSG_MAX_DETAIL 4096

#define BENTO_MSG_SPAWN_FAILED 1      /* the native child failed at `step` with `error` (an errno) */
#define BENTO_MSG_INIT_FAILED 2       /* the init stage failed at `step` with `error`; detail says what */
#define BENTO_MSG_COMMAND_NOT_FOUND 3 /* the container's command does not exist; detail is the command */

/* Steps of the native child, reported with BENTO_MSG_SPAWN_FAILED. */
#define BENTO_STEP_SIGNALS 1
#define BENTO_STEP_JOIN_NAMESPACE 2
#define BENTO_STEP_PARENT_DEATH_SIGNAL 3
#define BENTO_STEP_MOVE_FDS 4
#define BENTO_STEP_CLOSE_FDS 5
#define BENTO_STEP_SYNC 6
#define BENTO_STEP_EXEC 7
#define BENTO_STEP_FORK 8       /* exec: the second fork, into the joined pid namespace */
#define BENTO_STEP_JOIN_MOUNT 9 /* exec: the stage's constructor joining BENTO_FD_MOUNT_NS */

/* Exit status of a native child that failed before it could execute the init stage. */
#define BENTO_SPAWN_EXIT_FAILED 125

struct bento_msg_header {
    uint32_t magic;
    uint32_t kind;
    int32_t step;
    int32_t error;
    uint32_t detail_length;
};

struct bento_spawn_request {
    uint32_t abi_version;   /* BENTO_SPAWN_ABI_VERSION */
    uint32_t clone_flags;   /* CLONE_NEW* namespaces the child is created in */
    int32_t stdio_fds[3];   /* become the child's 0, 1 and 2 */
    int32_t report_fd;      /* write end of the report pipe: becomes BENTO_FD_REPORT */
    int32_t sync_fd;        /* read end of the sync pipe: becomes BENTO_FD_SYNC */
    int32_t exec_fd;        /* the binary to execute (AT_EMPTY_PATH): becomes BENTO_FD_EXEC */
    uint32_t join_count;    /* namespaces to join first, in order (exec); 0 for a new container */
    int32_t join_fds[BENTO_SPAWN_MAX_JOIN]; /* every namespace but the mount namespace: see mount_ns_fd */
    int32_t mount_ns_fd;    /* exec (join_count > 0) only: becomes BENTO_FD_MOUNT_NS */
    const char *const *argv;
    const char *const *envp;
};

/*
 * Creates the child. Returns its pid (> 0) or a negative errno.
 *
 * With join_count > 0 (exec into a running container) the child joins those namespaces, then forks once
 * more so that the process executing the stage is inside the joined pid namespace. The child stays as a
 * waiter: it exits with the grandchild's exit code (128 + signal when a signal ended it), and its death
 * (SIGKILL) kills the grandchild through the parent-death signal. The returned pid is the waiter's. The caller keeps ownership of every
 * descriptor in the request and closes its copies of the child's ends afterwards.
 */
int bento_spawn(const struct bento_spawn_request *request, uint32_t request_size);

/* sizeof(struct bento_spawn_request), so the C# mirror can check its layout at load time. */
uint32_t bento_spawn_request_size(void);

#endif
