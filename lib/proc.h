/*
 * Child processes for the session layer: spawn a program over two pipes
 * (execve, never a shell) in a process group of its own, and end it for
 * sure (reap, TERM, KILL to the whole group: a wrapper script's imapd
 * too).
 *
 * The child is known by a pidfd, not by its number: a front end may reap
 * it (SIGCHLD) at any time, after which its number may be another
 * process's.  Front ends reap with proc_reap_any(), or, single-threaded,
 * from a SIGCHLD handler: proc_* block SIGCHLD while they need a child
 * unreaped.
 */
#ifndef IMAPEEK_PROC_H
#define IMAPEEK_PROC_H

#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>

/* What proc_spawn() asks the kernel for the pipe from the child. */
#define PROC_PIPE_SIZE (1024 * 1024)

struct proc {
	pid_t pid;     /* 0 once ended; also the child's process group */
	int pidfd;     /* -1 without pidfd_open (Linux before 5.3) */
	int to_child;  /* our end of the child's stdin; non-blocking */
	int from_child; /* our end of the child's stdout; non-blocking */
	int err_from_child; /* our end of its stderr, or -1: it has ours */
};

/*
 * Start argv[0] with exactly argv and envp.  The child gets the pipes as
 * stdin and stdout, a third pipe as stderr with capture_stderr (else it
 * keeps ours), and no other descriptor of ours.  Returns 0, or -1 with
 * the reason (exec failure included) in why.
 */
int proc_spawn(struct proc *proc, char *const argv[], char *const envp[],
               bool capture_stderr, char *why, size_t why_size);

/* Close our ends of the stdin and stdout pipes (idempotent). */
void proc_close_pipes(struct proc *proc);
/* Close our end of the stderr pipe (idempotent): read it to the end first. */
void proc_close_stderr(struct proc *proc);
/* Has the child exited?  Looked at without reaping it (proc_end does). */
bool proc_exited(const struct proc *proc);

/*
 * Wait up to grace_ms for the child to exit, then SIGTERM its process
 * group, wait grace_ms more, then SIGKILL the group (and whatever is left
 * of it once the child exited); always reaps.  Returns the wait status,
 * or -1 when there was no child or a front end reaped it.
 */
int proc_end(struct proc *proc, int grace_ms);

/*
 * Reap every child that has exited (a front end's answer to SIGCHLD),
 * never while a proc_* function needs one unreaped.  Not for a signal
 * handler (it takes a lock).
 */
void proc_reap_any(void);

/* Milliseconds on the monotonic clock. */
long long proc_now_ms(void);

#endif
