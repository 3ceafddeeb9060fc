#ifndef CPOSIXSPAWN_H
#define CPOSIXSPAWN_H

#include <spawn.h>
#include <sys/types.h>

/// The spawner's own start of a command (`cps_spawn`), and glibc pieces Swift's Glibc module does not import
/// (they sit behind _GNU_SOURCE or have no wrapper): each of those returns what the libc call returns; on a
/// libc without the call it fails with ENOSYS.

/// Closes every descriptor from `from` up in the child (glibc 2.34+), so a spawn can never leak one that
/// another thread opened without O_CLOEXEC.
int cps_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/// Starts `file` with `argv` and `envp` as the leader of a new process group, its stdin, stdout and stderr
/// the three descriptors given, no other descriptor open, every signal at its default action and none
/// blocked. `search` looks a name without a slash up in planrun's PATH, as `posix_spawnp` does. Returns 0
/// and sets `*pid`, or the error that kept the command from starting (the child is then reaped). The calling
/// thread keeps its signal mask, except that SIGCHLD is unblocked (so the kernel drops the exit signals).
///
/// `vfork` rather than glibc's `posix_spawn`: the same steps in the child, on the calling thread's stack;
/// glibc maps a fresh stack for every child and unmaps it after, which cost page faults and a TLB flush per
/// command (10–30 µs of a trivial step's 0.75 ms on the machine of BENCHMARKS.md).
int cps_spawn(pid_t *pid, const char *file, int search, char *const argv[], char *const envp[],
              int stdin_fd, int stdout_fd, int stderr_fd);

/// A pipe whose both ends are close-on-exec from the start.
int cps_pipe_cloexec(int fds[2]);

/// A descriptor that polls readable when process `pid` exits (Linux 5.3+), without reaping it.
int cps_pidfd_open(pid_t pid);

/// Moves up to `count` bytes of file `from`, at `*offset` (advanced), into pipe `to` without copying them
/// through user space and without blocking on the pipe (Linux splice). -1 with EINVAL where the file
/// cannot be spliced, EAGAIN while the pipe is full.
long cps_splice_to_pipe(int from, long long *offset, int to, unsigned long count);

/// Sets the capacity of the pipe `fd` in bytes (Linux F_SETPIPE_SZ); returns the capacity granted or -1.
int cps_pipe_set_size(int fd, int size);

/// An anonymous file in memory, close-on-exec (Linux memfd_create); -1 where there is none.
int cps_memfd(const char *name);

#endif
