/*
 * imapeek-import: mbox files into a read-only Maildir folder.
 *
 *   imapeek-import [--format=mboxrd|mboxo] [--add] DEST [MBOX...]
 *
 * Every input is read whole (mapped when it is a file) and checked to be
 * an mbox before DEST is touched.  DEST is created, or must be an empty
 * folder, or with --add a Maildir folder already.  Each message, its
 * "From " lines unquoted (lib/mboxsplit.c) and nothing else changed, goes
 * through DEST/tmp (synced) into DEST/cur as TIME.PpidQseq.HOST:2, (no
 * flags), mode 0444, its mtime the Date header (Dovecot's INTERNALDATE).
 * Names sort in mbox order, as Dovecot hands out UIDs to new files.  At
 * the end DEST and its cur, new and tmp are 0555: the user who imports
 * owns the store, and an imapd running as another user can only read it.
 * See imapeek-import(1).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mboxsplit.h"
#include "rfc5322.h"

#define PROG "imapeek-import"
#define USAGE "usage: " PROG " [--format=mboxrd|mboxo] [--add] DEST [MBOX...]"

#define FILE_MODE 0444
#define FOLDER_MODE 0555
/* While messages are written: the owner alone may change the folders. */
#define FOLDER_MODE_OPEN 0755
/* Dates after 2100 (and before 1970) make poor INTERNALDATEs. */
#define LATEST_DATE 4102444800LL
#define READ_CHUNK 65536
/* Files written to tmp/ before one sync makes them durable. */
#define PENDING_MAX 1024

enum exit_code {
	EXIT_DONE = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
};

static const char *const subfolders[] = { "cur", "new", "tmp" };

struct input {
	const char *name;   /* as given; "-" is standard input */
	struct buf bytes;   /* read, when not mapped */
	void *map;
	size_t map_len;
	struct str data;
};

struct import {
	const char *dest;
	enum mboxsplit_format format;
	bool add;
	bool touched;       /* DEST's modes changed: dest_close sets them */
	long long stamp;    /* the TIME of every name of this run */
	long pid;
	char *host;
	size_t seq;
	char *pending[PENDING_MAX]; /* names written to tmp/, not yet in cur/ */
	size_t npending;
};

PRINTF_LIKE(1, 2)
static void complain(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int read_fd(int fd, struct buf *out)
{
	for (;;) {
		buf_grow(out, READ_CHUNK);
		ssize_t got = read(fd, out->p + out->len, READ_CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		out->len += (size_t)got;
		out->p[out->len] = '\0';
	}
}

static int input_open(struct input *input)
{
	struct stat st;
	int fd = STDIN_FILENO, rc = -1;

	if (strcmp(input->name, "-") != 0) {
		fd = open(input->name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			complain("%s: %s", input->name, strerror(errno));
			return -1;
		}
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		input->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (input->map == MAP_FAILED) {
			input->map = NULL;
			complain("%s: %s", input->name, strerror(errno));
			goto out;
		}
		input->map_len = (size_t)st.st_size;
		input->data = (struct str){ input->map, input->map_len };
	} else {
		if (read_fd(fd, &input->bytes) < 0) {
			complain("%s: %s", input->name, strerror(errno));
			goto out;
		}
		input->data = str_from_buf(&input->bytes);
	}
	rc = 0;
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

static void input_release(struct input *input)
{
	if (input->map)
		munmap(input->map, input->map_len);
	buf_release(&input->bytes);
}

static int set_mode(const char *path, mode_t mode)
{
	if (chmod(path, mode) == 0)
		return 0;
	complain("%s: %s", path, strerror(errno));
	return -1;
}

/* 1 when the folder holds anything, 0 when empty, -1 on error. */
static int folder_used(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	int used = 0;

	if (!dir) {
		complain("%s: %s", path, strerror(errno));
		return -1;
	}
	while (!used && (entry = readdir(dir)))
		used = strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
	closedir(dir);
	return used;
}

/* *stamp made larger than the TIME in front of every name in path. */
static int stamp_after_names(const char *path, long long *stamp)
{
	DIR *dir = opendir(path);
	struct dirent *entry;

	if (!dir) {
		complain("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((entry = readdir(dir))) {
		long long taken = 0;
		for (const char *c = entry->d_name; *c >= '0' && *c <= '9' && taken < LATEST_DATE; c++)
			taken = taken * 10 + (*c - '0');
		if (taken >= *stamp && taken < LATEST_DATE)
			*stamp = taken + 1;
	}
	closedir(dir);
	return 0;
}

/*
 * DEST made ready for new files: created with cur, new and tmp, or an
 * empty folder, or (--add) a Maildir folder; its folders writable by
 * their owner until dest_close.
 */
static int dest_open(struct import *import)
{
	struct stat st;
	int used = 0;

	if (mkdir(import->dest, FOLDER_MODE_OPEN) == 0) {
		import->touched = true;
	} else {
		if (errno != EEXIST || stat(import->dest, &st) < 0 || !S_ISDIR(st.st_mode)) {
			complain("%s: %s", import->dest, errno == EEXIST ? "not a folder" : strerror(errno));
			return -1;
		}
		used = folder_used(import->dest);
		if (used < 0)
			return -1;
		if (used && !import->add) {
			complain("%s is not empty (--add adds to the Maildir folder there)", import->dest);
			return -1;
		}
		if (set_mode(import->dest, FOLDER_MODE_OPEN) < 0)
			return -1;
		import->touched = true;
	}
	for (size_t i = 0; i < sizeof(subfolders) / sizeof(subfolders[0]); i++) {
		char *path = xasprintf("%s/%s", import->dest, subfolders[i]);
		int rc;
		if (!used) {
			rc = mkdir(path, FOLDER_MODE_OPEN);
			if (rc < 0)
				complain("%s: %s", path, strerror(errno));
		} else if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			complain("%s is not a Maildir folder: no %s", import->dest, path);
			rc = -1;
		} else {
			rc = set_mode(path, FOLDER_MODE_OPEN);
			if (rc == 0)
				rc = stamp_after_names(path, &import->stamp);
		}
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int dest_close(const struct import *import)
{
	int rc = 0;

	for (size_t i = 0; i < sizeof(subfolders) / sizeof(subfolders[0]); i++) {
		char *path = xasprintf("%s/%s", import->dest, subfolders[i]);
		struct stat st;
		if (stat(path, &st) == 0 && set_mode(path, FOLDER_MODE) < 0)
			rc = -1;
		free(path);
	}
	if (set_mode(import->dest, FOLDER_MODE) < 0)
		rc = -1;
	return rc;
}

/* The Date header, else the separator's date, else none (-1). */
static time_t message_date(struct str message, struct str separator)
{
	struct buf value = BUF_INIT;
	size_t head = 0;
	time_t when = -1;

	while (head < message.len) {
		const char *nl = memchr(message.p + head, '\n', message.len - head);
		size_t next = nl ? (size_t)(nl - message.p) + 1 : message.len;
		if (message.p[head] == '\n' || (message.p[head] == '\r' && next - head == 2))
			break;
		head = next;
	}
	if (rfc5322_field(message.p, head, "Date", &value) &&
	    rfc5322_date_parse(value.p, value.len, &when) < 0)
		when = -1;
	if (when < 0 || when > LATEST_DATE) {
		/* "From SENDER DATE": the date after the first word */
		const char *date = memchr(separator.p + 5, ' ', separator.len - 5);
		if (!date || rfc5322_date_parse(date, separator.len - (size_t)(date - separator.p), &when) < 0)
			when = -1;
	}
	buf_release(&value);
	return when < 0 || when > LATEST_DATE ? -1 : when;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t done = write(fd, p, len);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -1;
		p += done;
		len -= (size_t)done;
	}
	return 0;
}

/*
 * The written files of tmp/ are made durable with one syncfs() and only
 * then linked into cur/, a batch at a time: what a crash leaves in cur/ is
 * whole, as with an fsync() per file, for a fraction of the cost.
 */
static int deliver_pending(struct import *import)
{
	char *folder = xasprintf("%s/tmp", import->dest);
	int fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || syncfs(fd) < 0) {
		complain("%s: %s", folder, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < import->npending; i++) {
		char *tmp = xasprintf("%s/tmp/%s", import->dest, import->pending[i]);
		char *cur = xasprintf("%s/cur/%s:2,", import->dest, import->pending[i]);
		if (rc == 0 && link(tmp, cur) < 0) {
			complain("%s: %s", cur, strerror(errno));
			rc = -1;
		}
		unlink(tmp);
		free(tmp);
		free(cur);
		free(import->pending[i]);
	}
	import->npending = 0;
	free(folder);
	return rc;
}

/* One message into DEST/tmp; deliver_pending links it into DEST/cur. */
static int deliver(struct import *import, struct str message, time_t date)
{
	char *name = xasprintf("%lld.P%ldQ%010zu.%s", import->stamp, import->pid,
	                       ++import->seq, import->host);
	char *tmp = xasprintf("%s/tmp/%s", import->dest, name);
	int fd, rc = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		complain("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, message.p, message.len) < 0 || fchmod(fd, FILE_MODE) < 0 ||
	    (date >= 0 && futimens(fd, (struct timespec[2]){ { date, 0 }, { date, 0 } }) < 0) ||
	    close(fd) < 0) {
		complain("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	import->pending[import->npending++] = name;
	name = NULL;
	rc = import->npending == PENDING_MAX ? deliver_pending(import) : 0;
out:
	free(name);
	free(tmp);
	return rc;
}

static int import_input(struct import *import, const struct input *input)
{
	struct mboxsplit reader;
	struct mboxsplit_msg msg;
	struct buf message = BUF_INIT;
	size_t count = 0;
	int rc = 0;

	mboxsplit_init(&reader, input->data.p, input->data.len);
	while (rc == 0 && mboxsplit_next(&reader, &msg) == 1) {
		buf_reset(&message);
		mboxsplit_unquote(&message, msg.raw, import->format);
		rc = deliver(import, str_from_buf(&message),
		             message_date(str_from_buf(&message), msg.separator));
		count += rc == 0;
	}
	printf("%s: %zu messages\n", input->name, count);
	buf_release(&message);
	return rc;
}

/* The host part of a name: no '/' or ':', which a Maildir name cannot hold. */
static char *host_name(void)
{
	char host[256] = "";

	if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		strcpy(host, "localhost");
	for (char *c = host; *c; c++) {
		if (*c == '/' || *c == ':' || (unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
			*c = '_';
	}
	return xstrdup(host);
}

static int parse_options(int argc, char **argv, struct import *import)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "add", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			import->format = MBOXSPLIT__MAX;
			for (int i = 0; i < MBOXSPLIT__MAX; i++) {
				if (strcmp(optarg, mboxsplit_format_names[i]) == 0)
					import->format = (enum mboxsplit_format)i;
			}
			if (import->format == MBOXSPLIT__MAX) {
				complain("--format must be mboxrd or mboxo, not \"%s\"", optarg);
				return -1;
			}
			break;
		case 'a':
			import->add = true;
			break;
		case 'h':
			puts(USAGE);
			exit(EXIT_DONE);
		default:
			return -1;
		}
	}
	if (optind >= argc) {
		complain("no DEST folder");
		return -1;
	}
	import->dest = argv[optind];
	return 0;
}

int main(int argc, char **argv)
{
	struct import import = { .format = MBOXSPLIT_MBOXRD };
	struct input *inputs;
	size_t ninputs;
	int rc = EXIT_FAILED;

	if (parse_options(argc, argv, &import) < 0) {
		fprintf(stderr, "%s\n", USAGE);
		return EXIT_USAGE;
	}
	ninputs = optind + 1 < argc ? (size_t)(argc - optind - 1) : 1;
	inputs = xcalloc(ninputs, sizeof(*inputs));
	for (size_t i = 0; i < ninputs; i++) {
		struct mboxsplit reader;
		inputs[i].name = optind + 1 < argc ? argv[optind + 1 + (int)i] : "-";
		if (input_open(&inputs[i]) < 0)
			goto out;
		if (mboxsplit_init(&reader, inputs[i].data.p, inputs[i].data.len) < 0) {
			complain("%s: not an mbox (its first line is no \"From \" line)", inputs[i].name);
			goto out;
		}
	}
	import.stamp = (long long)time(NULL);
	import.pid = (long)getpid();
	import.host = host_name();
	if (dest_open(&import) < 0) {
		if (import.touched)
			dest_close(&import);
		goto out;
	}
	rc = EXIT_DONE;
	for (size_t i = 0; i < ninputs && rc == EXIT_DONE; i++) {
		if (import_input(&import, &inputs[i]) < 0)
			rc = EXIT_FAILED;
	}
	if (deliver_pending(&import) < 0)
		rc = EXIT_FAILED;
	if (dest_close(&import) < 0)
		rc = EXIT_FAILED;
out:
	for (size_t i = 0; i < ninputs; i++)
		input_release(&inputs[i]);
	free(inputs);
	free(import.host);
	return rc;
}
