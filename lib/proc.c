/*
 * Spawning and ending the imapd.  Between fork() and execve() the child
 * only makes async-signal-safe calls: the parent may be a threaded
 * FastCGI or libmicrohttpd process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "proc.h"

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

static void child_exec(int in_fd, int out_fd, int report_fd,
                       char *const argv[], char *const envp[])
{
	sigset_t none;
	int error;

	/*
	 * stdout first: if in_fd is 1, moving it to 0 first would be fine,
	 * but if out_fd is 0 moving in_fd to 0 would clobber it.
	 */
	if (out_fd == 0) {
		out_fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
		if (out_fd < 0)
			goto fail;
	}
	if (child_move(in_fd, 0) < 0 || child_move(out_fd, 1) < 0)
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
               char *why, size_t why_size)
{
	int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
	int report[2] = { -1, -1 };
	int error = 0, ret = -1;
	ssize_t got;

	proc->pid = 0;
	proc->to_child = proc->from_child = -1;
	if (!argv || !argv[0] || argv[0][0] != '/') {
		snprintf(why, why_size, "imapd command must be an absolute path");
		return -1;
	}
	if (pipe2(to_child, O_CLOEXEC) < 0 || pipe2(from_child, O_CLOEXEC) < 0 ||
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
	proc->pid = fork();
	if (proc->pid < 0) {
		snprintf(why, why_size, "fork: %s", strerror(errno));
		proc->pid = 0;
		goto out;
	}
	if (proc->pid == 0)
		child_exec(to_child[0], from_child[1], report[1], argv, envp);

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
	to_child[1] = from_child[0] = -1;
	if (fcntl(proc->to_child, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(proc->from_child, F_SETFL, O_NONBLOCK) < 0) {
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
		if (report[i] >= 0)
			close(report[i]);
	}
	if (ret < 0) {
		proc_close_pipes(proc);
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

/* 1 when reaped (status set), 0 when still running after ms. */
static int reap_within(pid_t pid, int ms, int *status)
{
	long long deadline = proc_now_ms() + ms;

	for (;;) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid || (got < 0 && errno == ECHILD))
			return 1;
		if (got < 0 && errno != EINTR)
			return 1;
		if (proc_now_ms() >= deadline)
			return 0;
		/* A child exiting after LOGOUT takes a few ms: poll finely. */
		nanosleep(&(struct timespec){ 0, 2 * 1000 * 1000 }, NULL);
	}
}

int proc_end(struct proc *proc, int grace_ms)
{
	int status = -1;

	if (proc->pid <= 0)
		return -1;
	if (!reap_within(proc->pid, grace_ms, &status)) {
		kill(proc->pid, SIGTERM);
		if (!reap_within(proc->pid, grace_ms > 0 ? grace_ms : 200, &status)) {
			kill(proc->pid, SIGKILL);
			while (waitpid(proc->pid, &status, 0) < 0 && errno == EINTR)
				;
		}
	}
	proc->pid = 0;
	return status;
}

bool proc_exited(const struct proc *proc)
{
	siginfo_t info;

	if (proc->pid <= 0)
		return true;
	memset(&info, 0, sizeof(info));
	if (waitid(P_PID, (id_t)proc->pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD; /* reaped already (SIGCHLD ignored) */
	return info.si_pid == proc->pid;
}
