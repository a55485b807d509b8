#include "childlog.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void childlog_init(struct childlog *log, int out_fd)
{
	memset(log, 0, sizeof(*log));
	log->out_fd = out_fd;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool is_level(const char *s, size_t len)
{
	return starts_with(s, len, "Info: ") || starts_with(s, len, "Debug: ");
}

bool childlog_is_chatter(const char *line, size_t len)
{
	if (is_level(line, len))
		return true;
	/* "imap(user)<pid><session>: Info: ": the prefix holds no space. */
	for (size_t i = 0; i + 1 < len && line[i] != ' '; i++)
		if (line[i] == ':' && line[i + 1] == ' ')
			return i > 0 && is_level(line + i + 2, len - i - 2);
	return false;
}

static void write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;   /* our stderr is gone: nothing else to tell */
		data += n;
		len -= (size_t)n;
	}
}

/* The buffered piece out (or dropped); complete: it ended its line. */
static void emit(struct childlog *log, bool complete)
{
	if (!log->continued)
		log->dropping = childlog_is_chatter(log->line, log->len);
	if (!log->dropping) {
		if (complete)
			log->line[log->len++] = '\n';
		write_all(log->out_fd, log->line, log->len);
	}
	log->len = 0;
	log->continued = !complete;
	if (complete)
		log->dropping = false;
}

void childlog_feed(struct childlog *log, const char *data, size_t len)
{
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;
		/* room for the piece and its newline */
		size_t room = sizeof(log->line) - 1 - log->len;

		if (take > room) {
			memcpy(log->line + log->len, data, room);
			log->len += room;
			data += room;
			len -= room;
			emit(log, false);
			continue;
		}
		memcpy(log->line + log->len, data, take);
		log->len += take;
		data += take;
		len -= take;
		if (nl) {
			data++;
			len--;
			emit(log, true);
		}
	}
}

void childlog_flush(struct childlog *log)
{
	if (log->len || log->continued)
		emit(log, true);
}
