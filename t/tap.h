/*
 * TAP for the C unit tests: plan, ok, is, done.  Each test program prints
 * its own TAP stream; prove reads it through a t/tNNNN-*.t wrapper.
 */
#ifndef IMAPEEK_TAP_H
#define IMAPEEK_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3), unused))
static int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

__attribute__((unused))
static int tap_is_mem(const char *got, size_t got_len, const char *want, size_t want_len, const char *name)
{
	int same = got_len == want_len && (want_len == 0 || memcmp(got, want, want_len) == 0);

	tap_ok(same, "%s", name);
	if (!same)
		printf("#   got:  '%.*s' (%zu)\n#   want: '%.*s' (%zu)\n",
		       (int)(got_len > 200 ? 200 : got_len), got ? got : "", got_len,
		       (int)(want_len > 200 ? 200 : want_len), want ? want : "", want_len);
	return same;
}

#define tap_is_str(got, want, name) \
	tap_is_mem((got), strlen(got), (want), strlen(want), (name))

__attribute__((format(printf, 1, 2), unused))
static void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

__attribute__((unused))
static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
