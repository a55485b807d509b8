/*
 * The imapd's stderr on its way to ours (lib/childlog.h): Dovecot's
 * per-session Info and Debug lines stay behind, everything else goes out
 * whole, a line at a time, however the bytes were cut when read; a line
 * longer than the buffer goes out in pieces or not at all, as its first
 * piece decides; a last line without its newline gets one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "childlog.h"
#include "../tap.h"

/* What the log wrote, fed the input in pieces of step bytes. */
static char *run(const char *input, size_t len, size_t step, size_t *out_len)
{
	FILE *out = tmpfile();
	struct childlog log;
	char *got;
	long size;

	childlog_init(&log, fileno(out));
	for (size_t at = 0; at < len; at += step)
		childlog_feed(&log, input + at, len - at < step ? len - at : step);
	childlog_flush(&log);
	size = lseek(fileno(out), 0, SEEK_END);
	got = calloc(1, (size_t)size + 1);
	if (pread(fileno(out), got, (size_t)size, 0) != size)
		size = 0;
	fclose(out);
	*out_len = (size_t)size;
	return got;
}

static void lines(void)
{
	static const char input[] =
		"imap(imapeek)<32110><b9B+HpTGEWtufQAAg+zDdQ>: Info: Disconnected: Logged out in=35\n"
		"imap(imapeek)<32110><b9B+HpTGEWtufQAAg+zDdQ>: Error: mkdir(/var/lib/imapeek/index) failed: Permission denied\n"
		"Info: a bare info line\n"
		"Debug: a bare debug line\n"
		"Fatal: setgid(8 from userdb lookup) failed with euid=33(www-data): Operation not permitted\n"
		"imap4d: cannot obtain IP address of client: Socket operation on non-socket\n"
		"a line that says Info: but not in Dovecot's place\n"
		"imap(user name)<1>: Info: a space before the colon: not Dovecot's prefix\n"
		"\n"
		"the last line, without its newline";
	static const char want[] =
		"imap(imapeek)<32110><b9B+HpTGEWtufQAAg+zDdQ>: Error: mkdir(/var/lib/imapeek/index) failed: Permission denied\n"
		"Fatal: setgid(8 from userdb lookup) failed with euid=33(www-data): Operation not permitted\n"
		"imap4d: cannot obtain IP address of client: Socket operation on non-socket\n"
		"a line that says Info: but not in Dovecot's place\n"
		"imap(user name)<1>: Info: a space before the colon: not Dovecot's prefix\n"
		"\n"
		"the last line, without its newline\n";
	static const size_t steps[] = { 1, 2, 3, 7, 64, 4096 };

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		size_t len;
		char *got = run(input, sizeof(input) - 1, steps[i], &len);
		tap_is_mem(got, len, want, sizeof(want) - 1, "Info and Debug lines dropped, the rest whole");
		tap_diag("read %zu bytes at a time", steps[i]);
		free(got);
	}
}

static void long_lines(void)
{
	size_t n = 3 * CHILDLOG_LINE_MAX + 17, len;
	char *input = malloc(2 * (n + 40) + 1), *want = malloc(n + 2), *got;
	size_t at = 0;

	/* An Info line longer than the buffer, then an Error line as long. */
	at += (size_t)sprintf(input, "imap(u)<1>: Info: ");
	memset(input + at, 'i', n - at);
	input[n] = '\n';
	at = n + 1;
	memcpy(input + at, "imap(u)<1>: Error: ", 19);
	memset(input + at + 19, 'e', n - 19);
	input[at + n] = '\n';
	memcpy(want, input + at, n + 1);
	got = run(input, at + n + 1, 1000, &len);
	tap_is_mem(got, len, want, n + 1,
	           "a line longer than the buffer: out in pieces as its first decides");
	free(got);
	tap_ok(childlog_is_chatter("imap(u)<1><s>: Info: x", 22) &&
	       childlog_is_chatter("imap(u): Debug: x", 17) &&
	       !childlog_is_chatter("imap(u): Warning: x", 19) &&
	       !childlog_is_chatter(": Info: x", 9) &&
	       !childlog_is_chatter("Info:", 5),
	       "childlog_is_chatter: Info and Debug after a prefix with no space");
	free(input);
	free(want);
}

int main(void)
{
	lines();
	long_lines();
	return tap_done();
}
