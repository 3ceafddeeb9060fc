#define _GNU_SOURCE
#include "CPosixSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

int cps_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
#else
    (void)actions;
    (void)from;
    return ENOSYS;
#endif
}

int cps_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int cps_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

long cps_splice_to_pipe(int from, long long *offset, int to, unsigned long count) {
#ifdef SPLICE_F_NONBLOCK
    loff_t position = (loff_t)*offset;
    ssize_t moved = splice(from, &position, to, NULL, count, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
    if (moved > 0) *offset = (long long)position;
    return (long)moved;
#else
    (void)from; (void)offset; (void)to; (void)count;
    errno = EINVAL;
    return -1;
#endif
}

int cps_pipe_set_size(int fd, int size) {
#ifdef F_SETPIPE_SZ
    return fcntl(fd, F_SETPIPE_SZ, size);
#else
    (void)fd; (void)size;
    errno = ENOSYS;
    return -1;
#endif
}

int cps_memfd(const char *name) {
#ifdef MFD_CLOEXEC
    return memfd_create(name, MFD_CLOEXEC);
#else
    (void)name;
    errno = ENOSYS;
    return -1;
#endif
}

/* What the child of `cps_spawn` needs, prepared by the parent before `vfork`: the child shares the parent's
   memory and must not allocate, so everything is built beforehand. `error` is the one field it writes. */
struct spawn_request {
    const char *file;
    int search;
    char *const *argv;
    char *const *envp;
    int fds[3];
    const char *path;
    volatile int error;
};

/* The kernel's `struct sigaction` for rt_sigaction: glibc's wrapper refuses its own two internal signals. */
struct kernel_action {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

/* Runs in the vfork child, on the parent's stack below the caller's frame, and never returns: every state it
   changes is the child's own (dispositions, process group, descriptors, mask) or `request->error`. */
__attribute__((noinline, noreturn))
static void spawn_child(struct spawn_request *request) {
    /* A handler left in place could run here, in the parent's memory, once the mask is emptied; exec would
       reset it only afterwards. So every signal goes to its default action first, as glibc's posix_spawn does
       with POSIX_SPAWN_SETSIGDEF; glibc's two internal signals (SIGCANCEL, SIGSETXID) are ignored, as there. */
    for (int sig = 1; sig < 65; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct kernel_action action = { (sig == 32 || sig == 33) ? SIG_IGN : SIG_DFL, 0, 0, 0 };
        syscall(SYS_rt_sigaction, sig, &action, NULL, sizeof(unsigned long));
    }
    int code = 0;
    if (setpgid(0, 0) != 0) { code = errno; goto fail; }
    for (int target = 0; target < 3; target++) {
        int fd = request->fds[target];
        if (fd == target) {
            if (fcntl(fd, F_SETFD, 0) != 0) { code = errno; goto fail; }
        } else if (dup2(fd, target) != target) {
            code = errno;
            goto fail;
        }
    }
#ifdef SYS_close_range
    /* Everything planrun opens is close-on-exec already; this also covers what a library opened without it. */
    syscall(SYS_close_range, 3, ~0U, 0);
#endif
    unsigned long empty = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, sizeof(unsigned long));

    if (!request->search || strchr(request->file, '/') != NULL) {
        execve(request->file, request->argv, request->envp);
        code = errno;
        goto fail;
    }
    /* posix_spawnp's search: each directory of the parent's PATH in turn; EACCES from any of them wins over
       not-found at the end; any other error stops the search. No `sh` retry for a file without `#!`. */
    char candidate[4096];
    size_t name_length = strlen(request->file);
    int denied = 0;
    code = ENOENT;
    for (const char *dir = request->path; ; ) {
        const char *end = strchr(dir, ':');
        size_t length = end ? (size_t)(end - dir) : strlen(dir);
        if (length + 1 + name_length + 1 <= sizeof(candidate)) {
            size_t at = 0;
            if (length == 0) {
                candidate[at++] = '.';
            } else {
                memcpy(candidate, dir, length);
                at = length;
            }
            candidate[at++] = '/';
            memcpy(candidate + at, request->file, name_length + 1);
            execve(candidate, request->argv, request->envp);
            switch (errno) {
            case EACCES: denied = 1; break;
            case ENOENT: case ENOTDIR: case ESTALE: case ENODEV: case ETIMEDOUT: break;
            default: code = errno; goto fail;
            }
        }
        if (!end) break;
        dir = end + 1;
    }
    if (denied) code = EACCES;
fail:
    request->error = code ? code : ENOEXEC;
    _exit(127);
}

int cps_spawn(pid_t *pid, const char *file, int search, char *const argv[], char *const envp[],
              int stdin_fd, int stdout_fd, int stderr_fd) {
    struct spawn_request request = { file, search, argv, envp, { stdin_fd, stdout_fd, stderr_fd }, NULL, 0 };
    if (search) {
        request.path = getenv("PATH");
        if (request.path == NULL) request.path = "/bin:/usr/bin";
    }
    /* Every signal blocked until the child has reset its dispositions, glibc's internal ones included (the raw
       system call; pthread_sigmask leaves those two open). */
    unsigned long all = ~0UL, previous = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &previous, sizeof(unsigned long));
    pid_t child = vfork();
    if (child == 0) spawn_child(&request);
    int code = child < 0 ? errno : request.error;
    /* The thread's mask back, with SIGCHLD unblocked: the kernel discards a child's exit signal (its default
       action is to ignore it) only when the parent thread does not block it. Swift's pool threads block it, so
       each exit was queued to the process and woke the main thread, parked in `dispatch_main`, once per step.
       Nothing in planrun handles SIGCHLD: exits are seen through pidfds and `waitpid`. */
    previous &= ~(1UL << (SIGCHLD - 1));
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &previous, NULL, sizeof(unsigned long));
    if (child > 0 && code != 0) {
        /* The child told why it could not exec, then exited: reap it here, it never ran the command. */
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    }
    if (code == 0) *pid = child;
    return code;
}
