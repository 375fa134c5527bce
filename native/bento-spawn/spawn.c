/*
 * bento-spawn: the only C in Bento.
 *
 * A .NET process is multithreaded from its first instruction, and the kernel refuses
 * unshare(CLONE_NEWUSER) and setns() into user or mount namespaces to multithreaded callers; forking
 * the CLR and running managed code in the child deadlocks. So this library does the one thing C#
 * cannot: clone() a child into new namespaces whose code, from the clone to the execve, is this file
 * alone. The child moves the caller's descriptors into a fixed layout, waits for the monitor to write
 * its uid/gid maps, and executes the init stage (bento-shim init) from a sealed memfd.
 *
 * The three-process handshake is drawn in src/Bento.Runtime/Process/SpawnProtocol.cs.
 * Only async-signal-safe calls happen in the child: it is a copy of a multithreaded process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol.h"

#define CHILD_STACK_SIZE (256 * 1024)

/* The kernel's CLONE_NEW* bits; anything else in clone_flags is refused. */
#define NAMESPACE_FLAGS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | \
                         CLONE_NEWNET | CLONE_NEWCGROUP)

_Static_assert(sizeof(struct bento_msg_header) == BENTO_MSG_HEADER_SIZE, "header size is part of the protocol");

static void write_all(int fd, const void *data, size_t length)
{
    const char *cursor = data;
    while (length > 0) {
        ssize_t written = write(fd, cursor, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return;
        cursor += written;
        length -= (size_t)written;
    }
}

/* Reports (step, errno) on the report pipe, wherever it currently is, and ends the child. */
static void __attribute__((noreturn)) fail(int report_fd, int step, int error)
{
    struct bento_msg_header message = {
        .magic = BENTO_MSG_MAGIC,
        .kind = BENTO_MSG_SPAWN_FAILED,
        .step = step,
        .error = error,
        .detail_length = 0,
    };
    write_all(report_fd, &message, sizeof message);
    _exit(BENTO_SPAWN_EXIT_FAILED);
}

/* The parent blocked every signal around clone(); the child must not run the CLR's handlers, and
 * dispositions the runtime set to "ignore" (SIGPIPE) would otherwise survive execve. */
static int reset_signals(void)
{
    struct sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    for (int signal_number = 1; signal_number < _NSIG; signal_number++) {
        if (signal_number == SIGKILL || signal_number == SIGSTOP)
            continue;
        /* glibc reserves two real-time signals and answers EINVAL for them: nothing to reset. */
        sigaction(signal_number, &default_action, NULL);
    }
    sigset_t empty;
    sigemptyset(&empty);
    return sigprocmask(SIG_SETMASK, &empty, NULL);
}

/* Moves `source` to exactly `target`; close_on_exec decides whether it survives the next execve. */
static int place_fd(int source, int target, int close_on_exec)
{
    if (source == target)
        return fcntl(target, F_SETFD, close_on_exec ? FD_CLOEXEC : 0);
    return dup3(source, target, close_on_exec ? O_CLOEXEC : 0) < 0 ? -1 : 0;
}

/* Exec: the child stays behind as the grandchild's waiter and passes its end on as an exit code. It holds
 * none of the grandchild's descriptors, so end-of-file on the report pipe and on stdio is the grandchild's. */
static void __attribute__((noreturn)) wait_for(pid_t grandchild)
{
    syscall(SYS_close_range, 0, ~0U, 0);
    int status = 0;
    while (waitpid(grandchild, &status, 0) < 0) {
        if (errno != EINTR)
            _exit(BENTO_SPAWN_EXIT_FAILED);
    }
    _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}

static int child_main(void *argument)
{
    const struct bento_spawn_request *request = argument;
    int report_fd = request->report_fd;
    int joining = request->join_count > 0;

    if (reset_signals() < 0)
        fail(report_fd, BENTO_STEP_SIGNALS, errno);

    /* In the caller's order (user first). setns needs a single-threaded caller that shares no fs_struct,
     * which this child is; descriptors keep their numbers, so this comes before the layout below. */
    for (uint32_t index = 0; index < request->join_count; index++) {
        if (setns(request->join_fds[index], 0) < 0)
            fail(report_fd, BENTO_STEP_JOIN_NAMESPACE, errno);
    }

    /* The monitor is the parent; if it dies before init is running there is nobody to finish the
     * start, and once the container runs its death must not leave the container unwatched. The
     * init stage arms this again after it changes credentials (which clears it; so does joining a user
     * namespace, hence after the joins). */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        fail(report_fd, BENTO_STEP_PARENT_DEATH_SIGNAL, errno);

    /* First lift every source above the final layout, so no placement overwrites a source that is
     * still needed (the caller may hand us fd 0 as the report pipe, for instance). */
    int sources[7] = {
        request->stdio_fds[0], request->stdio_fds[1], request->stdio_fds[2],
        request->report_fd, request->exec_fd, request->sync_fd, request->mount_ns_fd,
    };
    int count = joining ? 7 : 6;
    int lifted[7];
    for (int index = 0; index < count; index++) {
        lifted[index] = fcntl(sources[index], F_DUPFD_CLOEXEC, BENTO_FD_FIRST_FREE);
        if (lifted[index] < 0)
            fail(report_fd, BENTO_STEP_MOVE_FDS, errno);
        if (index == 3)
            report_fd = lifted[index];
    }
    static const int targets[7] = { 0, 1, 2, BENTO_FD_REPORT, BENTO_FD_EXEC, BENTO_FD_SYNC, BENTO_FD_MOUNT_NS };
    static const int close_on_exec[7] = { 0, 0, 0, 0, 1, 1, 0 };
    for (int index = 0; index < count; index++) {
        if (place_fd(lifted[index], targets[index], close_on_exec[index]) < 0)
            fail(report_fd, BENTO_STEP_MOVE_FDS, errno);
    }
    report_fd = BENTO_FD_REPORT;

    /* Nothing of the monitor's beyond this layout may reach the container. */
    if (syscall(SYS_close_range, joining ? BENTO_FD_FIRST_FREE : BENTO_FD_MOUNT_NS, ~0U, 0) < 0)
        fail(report_fd, BENTO_STEP_CLOSE_FDS, errno);

    /* Wait until the monitor has written uid_map/gid_map (rootless), or has given up (end-of-file). */
    unsigned char go = 0;
    ssize_t got;
    do
        got = read(BENTO_FD_SYNC, &go, 1);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        fail(report_fd, BENTO_STEP_SYNC, errno);
    if (got == 0 || go != BENTO_SYNC_GO)
        fail(report_fd, BENTO_STEP_SYNC, EPIPE);
    close(BENTO_FD_SYNC);

    if (joining) {
        /* setns(CLONE_NEWPID) moves only the children made afterwards. A raw clone without CLONE_VM is a
         * plain fork that runs no atfork handlers of the copied runtime. */
        long grandchild = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
        if (grandchild < 0)
            fail(report_fd, BENTO_STEP_FORK, errno);
        if (grandchild > 0)
            wait_for((pid_t)grandchild);
        /* A fork does not inherit the parent-death signal; the waiter is this process's parent now. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
            fail(report_fd, BENTO_STEP_PARENT_DEATH_SIGNAL, errno);
    }

    /* Executing the sealed copy, never a path: nothing inside can reach the host's binary. */
    syscall(SYS_execveat, BENTO_FD_EXEC, "", request->argv, request->envp, AT_EMPTY_PATH);
    fail(report_fd, BENTO_STEP_EXEC, errno);
}

uint32_t bento_spawn_request_size(void)
{
    return (uint32_t)sizeof(struct bento_spawn_request);
}

int bento_spawn(const struct bento_spawn_request *request, uint32_t request_size)
{
    if (request == NULL || request_size != sizeof *request || request->abi_version != BENTO_SPAWN_ABI_VERSION)
        return -EINVAL;
    if ((request->clone_flags & ~(uint32_t)NAMESPACE_FLAGS) != 0 || request->argv == NULL || request->envp == NULL)
        return -EINVAL;
    if (request->join_count > BENTO_SPAWN_MAX_JOIN || (request->join_count > 0 && request->clone_flags != 0))
        return -EINVAL;

    void *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return -errno;

    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int pid = clone(child_main, (char *)stack + CHILD_STACK_SIZE, (int)request->clone_flags | SIGCHLD, (void *)request);
    int clone_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);

    /* Without CLONE_VM the child runs on its own copy of the stack. */
    munmap(stack, CHILD_STACK_SIZE);
    return pid < 0 ? -clone_error : pid;
}
