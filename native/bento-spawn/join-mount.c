/*
 * Linked into bento-shim (not into libbentospawn.so): the last namespace join of an exec.
 *
 * `bento-shim exec-init` is executed by the native spawn step after it joined every other namespace of a
 * running container. It cannot be executed inside the container's mount namespace: the kernel and ld.so
 * load its interpreter and libc from the current root, and a container's root may have neither. And .NET
 * cannot join a mount namespace later: setns(CLONE_NEWNS) refuses a process whose threads share their
 * fs_struct, and the runtime has threads before Main. So this ELF constructor joins it, after the libraries
 * are mapped and before the runtime starts its first thread (runc's nsexec runs at the same moment, for the
 * same reason). The kernel then sets the root and working directory to the container's root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"

static void report_failure(int error)
{
    struct bento_msg_header message = {
        .magic = BENTO_MSG_MAGIC,
        .kind = BENTO_MSG_SPAWN_FAILED,
        .step = BENTO_STEP_JOIN_MOUNT,
        .error = error,
        .detail_length = 0,
    };
    /* Best effort: a failed report still ends in exit 125, which the caller reads as a spawn failure. */
    ssize_t ignored = write(BENTO_FD_REPORT, &message, sizeof message);
    (void)ignored;
}

/* glibc passes argc, argv and envp to constructors. */
__attribute__((constructor)) static void bento_join_mount_namespace(int argc, char **argv, char **envp)
{
    (void)envp;
    if (argc < 2 || strcmp(argv[1], "exec-init") != 0)
        return;
    if (setns(BENTO_FD_MOUNT_NS, CLONE_NEWNS) < 0) {
        report_failure(errno);
        _exit(BENTO_SPAWN_EXIT_FAILED);
    }
    close(BENTO_FD_MOUNT_NS);
}
