/*
 * Spawning and ending the imapd.  Between fork() and execve() the child
 * only makes async-signal-safe calls: the parent may be a threaded
 * FastCGI or libmicrohttpd process.
 *
 * Reaping: a front end reaps any exited child on SIGCHLD, so a child's
 * number is trusted only while "holding" (hold_children): SIGCHLD blocked
 * in this thread (against a handler in a single-threaded process) and the
 * read side of a lock whose write side proc_reap_any() takes.  Held, the
 * child is unreaped if we saw it so: its number, which is also its
 * process group's, names it.  Otherwise the pidfd does.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "proc.h"

static pthread_rwlock_t reaping = PTHREAD_RWLOCK_INITIALIZER;

static void hold_children(sigset_t *saved)
{
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, saved);
	pthread_rwlock_rdlock(&reaping);
}

static void release_children(const sigset_t *saved)
{
	pthread_rwlock_unlock(&reaping);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

void proc_reap_any(void)
{
	int saved_errno = errno;

	pthread_rwlock_wrlock(&reaping);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	pthread_rwlock_unlock(&reaping);
	errno = saved_errno;
}

/*
 * waitid() on the child: by pidfd; by number only on a kernel without
 * pidfds, where a child reaped by a front end may be mistaken for a new
 * one with its number.  -1 with ECHILD once it is reaped.
 */
static int wait_child(const struct proc *proc, siginfo_t *info, int options)
{
	memset(info, 0, sizeof(*info));
	if (proc->pidfd >= 0)
		return waitid(P_PIDFD, (id_t)proc->pidfd, info, options);
	return waitid(P_PID, (id_t)proc->pid, info, options);
}

long long proc_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Make fd the child's descriptor target, without close-on-exec. */
static int child_move(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target) < 0 ? -1 : 0;
}

/*
 * Every descriptor from 3 up gets close-on-exec, so the imapd inherits
 * none of ours (sockets of the web server, other sessions' pipes).
 */
static void child_cloexec_all(void)
{
	long max;

#ifdef CLOSE_RANGE_CLOEXEC
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void child_exec(int in_fd, int out_fd, int err_fd, int report_fd,
                       char *const argv[], char *const envp[])
{
	int fds[3] = { in_fd, out_fd, err_fd };
	sigset_t none;
	int error;

	/*
	 * A pipe end that is itself 0, 1 or 2 (a parent started with one of
	 * them closed) is moved above them first, so that no move clobbers
	 * another end still to be moved.
	 */
	for (int i = 0; i < 3; i++) {
		if (fds[i] >= 3)
			continue;
		fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		if (fds[i] < 0)
			goto fail;
	}
	for (int i = 0; i < 3; i++)
		if (child_move(fds[i], i) < 0)
			goto fail;
	/* a group of its own, so that proc_end reaches a wrapper's imapd */
	if (setpgid(0, 0) < 0)
		goto fail;
	child_cloexec_all();
	/* An ignored SIGPIPE would be inherited through execve. */
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(argv[0], argv, envp);
fail:
	error = errno;
	while (write(report_fd, &error, sizeof(error)) < 0 && errno == EINTR)
		;
	_exit(127);
}

int proc_spawn(struct proc *proc, char *const argv[], char *const envp[],
               bool capture_stderr, char *why, size_t why_size)
{
	int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
	int err_from_child[2] = { -1, -1 }, report[2] = { -1, -1 };
	int error = 0, ret = -1;
	ssize_t got;
	sigset_t saved;

	proc->pid = 0;
	proc->pidfd = -1;
	proc->to_child = proc->from_child = proc->err_from_child = -1;
	if (!argv || !argv[0] || argv[0][0] != '/') {
		snprintf(why, why_size, "imapd command must be an absolute path");
		return -1;
	}
	if (pipe2(to_child, O_CLOEXEC) < 0 || pipe2(from_child, O_CLOEXEC) < 0 ||
	    (capture_stderr && pipe2(err_from_child, O_CLOEXEC) < 0) ||
	    pipe2(report, O_CLOEXEC) < 0) {
		snprintf(why, why_size, "pipe: %s", strerror(errno));
		goto out;
	}
	/*
	 * A roomier pipe from the child (best effort: the limit is
	 * fs.pipe-max-size): the imapd writes a batch of messages with fewer
	 * stops to wait for us, and we read it in fewer, larger pieces.
	 */
	(void)fcntl(from_child[0], F_SETPIPE_SZ, PROC_PIPE_SIZE);
	/* held until the pidfd names the child: it may exit at once */
	hold_children(&saved);
	proc->pid = fork();
	if (proc->pid < 0) {
		release_children(&saved);
		snprintf(why, why_size, "fork: %s", strerror(errno));
		proc->pid = 0;
		goto out;
	}
	if (proc->pid == 0)
		child_exec(to_child[0], from_child[1],
		           capture_stderr ? err_from_child[1] : STDERR_FILENO,
		           report[1], argv, envp);
	/*
	 * The child does it too; here it closes the race with a kill of the
	 * group before the child ran (EACCES once it exec'd: done by then).
	 */
	(void)setpgid(proc->pid, proc->pid);
	proc->pidfd = (int)syscall(SYS_pidfd_open, proc->pid, 0);
	if (proc->pidfd >= 0)
		(void)fcntl(proc->pidfd, F_SETFD, FD_CLOEXEC);
	release_children(&saved);

	close(report[1]);
	report[1] = -1;
	/* EOF: execve succeeded and closed the report pipe; else its errno */
	do
		got = read(report[0], &error, sizeof(error));
	while (got < 0 && errno == EINTR);
	if (got == sizeof(error)) {
		snprintf(why, why_size, "cannot run %s: %s", argv[0], strerror(error));
		goto out;
	}
	proc->to_child = to_child[1];
	proc->from_child = from_child[0];
	proc->err_from_child = err_from_child[0];
	to_child[1] = from_child[0] = err_from_child[0] = -1;
	if (fcntl(proc->to_child, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(proc->from_child, F_SETFL, O_NONBLOCK) < 0 ||
	    (capture_stderr && fcntl(proc->err_from_child, F_SETFL, O_NONBLOCK) < 0)) {
		snprintf(why, why_size, "fcntl: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (to_child[i] >= 0)
			close(to_child[i]);
		if (from_child[i] >= 0)
			close(from_child[i]);
		if (err_from_child[i] >= 0)
			close(err_from_child[i]);
		if (report[i] >= 0)
			close(report[i]);
	}
	if (ret < 0) {
		proc_close_pipes(proc);
		proc_close_stderr(proc);
		proc_end(proc, 0);
	}
	return ret;
}

void proc_close_pipes(struct proc *proc)
{
	if (proc->to_child >= 0)
		close(proc->to_child);
	if (proc->from_child >= 0)
		close(proc->from_child);
	proc->to_child = proc->from_child = -1;
}

void proc_close_stderr(struct proc *proc)
{
	if (proc->err_from_child >= 0)
		close(proc->err_from_child);
	proc->err_from_child = -1;
}

/* 1 when the child exited (not reaped) or was reaped, 0 if running after ms. */
static int exited_within(const struct proc *proc, int ms)
{
	long long deadline = proc_now_ms() + ms;
	siginfo_t info;

	for (;;) {
		if (wait_child(proc, &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
			if (errno != EINTR)
				return 1; /* ECHILD: a front end reaped it */
		} else if (info.si_pid != 0) {
			return 1;
		}
		if (proc_now_ms() >= deadline)
			return 0;
		/* A child exiting after LOGOUT takes a few ms: poll finely. */
		nanosleep(&(struct timespec){ 0, 2 * 1000 * 1000 }, NULL);
	}
}

/*
 * Signal the child's process group, while the child (its leader) is
 * unreaped: then the group's number is surely still ours.  Once a front
 * end reaped the child, the rest of the group cannot be named safely; it
 * is left to end with its input, which we close.
 */
static void signal_group(const struct proc *proc, int signo)
{
	sigset_t saved;
	siginfo_t info;

	hold_children(&saved);
	if (wait_child(proc, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    kill(-proc->pid, signo) < 0) {
		/* no such group: the child left it (setpgid of its own) */
		if (proc->pidfd >= 0)
			(void)syscall(SYS_pidfd_send_signal, proc->pidfd, signo, NULL, 0);
		else
			(void)kill(proc->pid, signo);
	}
	release_children(&saved);
}

int proc_end(struct proc *proc, int grace_ms)
{
	siginfo_t info;
	int status = -1, ret;

	if (proc->pid <= 0)
		return -1;
	if (!exited_within(proc, grace_ms)) {
		signal_group(proc, SIGTERM);
		(void)exited_within(proc, grace_ms > 0 ? grace_ms : 200);
	}
	/*
	 * Whatever of the group outlived its leader (a wrapper's imapd that
	 * ignores TERM, a stray helper) or TERM did not end, ends now.
	 */
	signal_group(proc, SIGKILL);
	do
		ret = wait_child(proc, &info, WEXITED);
	while (ret < 0 && errno == EINTR);
	if (ret == 0 && info.si_code == CLD_EXITED)
		status = W_EXITCODE(info.si_status, 0);
	else if (ret == 0)
		status = info.si_status | (info.si_code == CLD_DUMPED ? WCOREFLAG : 0);
	if (proc->pidfd >= 0)
		close(proc->pidfd);
	proc->pidfd = -1;
	proc->pid = 0;
	return status;
}

bool proc_exited(const struct proc *proc)
{
	siginfo_t info;

	if (proc->pid <= 0)
		return true;
	if (wait_child(proc, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD; /* reaped already, by a front end */
	return info.si_pid != 0;
}
