/*
 * Child processes for the session layer: spawn a program over two pipes
 * (execve, never a shell), and end it for sure (reap, TERM, KILL).
 */
#ifndef IMAPEEK_PROC_H
#define IMAPEEK_PROC_H

#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>

/* What proc_spawn() asks the kernel for the pipe from the child. */
#define PROC_PIPE_SIZE (1024 * 1024)

struct proc {
	pid_t pid;     /* 0 once reaped */
	int to_child;  /* our end of the child's stdin; non-blocking */
	int from_child; /* our end of the child's stdout; non-blocking */
};

/*
 * Start argv[0] with exactly argv and envp.  The child gets the pipes as
 * stdin and stdout, keeps our stderr, and no other descriptor of ours.
 * Returns 0, or -1 with the reason (exec failure included) in why.
 */
int proc_spawn(struct proc *proc, char *const argv[], char *const envp[],
               char *why, size_t why_size);

/* Close our ends of the pipes (idempotent). */
void proc_close_pipes(struct proc *proc);
/* Has the child exited?  Looked at without reaping it (proc_end does). */
bool proc_exited(const struct proc *proc);

/*
 * Wait up to grace_ms for the child to exit, then SIGTERM, wait grace_ms
 * more, then SIGKILL; always reaps.  Returns the wait status, or -1 when
 * there was no child.
 */
int proc_end(struct proc *proc, int grace_ms);

/* Milliseconds on the monotonic clock. */
long long proc_now_ms(void);

#endif
