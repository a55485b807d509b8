/*
 * Any bytes as an imapd's stderr, read in pieces whose sizes the first
 * byte chooses: what goes out is the input's lines less the chatter
 * (childlog_is_chatter), each ended by a newline, whatever the pieces.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "childlog.h"

/* The lines of data (whole input, one piece) as they should go out. */
static size_t expected(const char *data, size_t len, char *out)
{
	size_t n = 0;

	for (size_t at = 0; at < len;) {
		const char *nl = memchr(data + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t first = end - at < CHILDLOG_LINE_MAX - 1 ? end - at : CHILDLOG_LINE_MAX - 1;
		if (!childlog_is_chatter(data + at, first)) {
			memcpy(out + n, data + at, end - at);
			n += end - at;
			out[n++] = '\n';
		}
		at = end + 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct childlog log;
	size_t step, want_len;
	char *want, *got;
	int fd;
	off_t got_len;

	if (size < 1 || size > 1 << 16)
		return 0;
	step = (size_t)data[0] % 97 + 1;
	data++;
	size--;
	fd = memfd_create("childlog", 0);
	if (fd < 0)
		abort();
	childlog_init(&log, fd);
	for (size_t at = 0; at < size; at += step)
		childlog_feed(&log, (const char *)data + at, size - at < step ? size - at : step);
	childlog_flush(&log);
	want = malloc(2 * size + 2);
	want_len = expected((const char *)data, size, want);
	got_len = lseek(fd, 0, SEEK_END);
	got = malloc((size_t)got_len + 1);
	if (got_len < 0 || pread(fd, got, (size_t)got_len, 0) != got_len ||
	    (size_t)got_len != want_len || memcmp(got, want, want_len) != 0)
		abort();
	free(got);
	free(want);
	close(fd);
	return 0;
}
