/*
 * Any bytes as a configuration file, from memory and through conf_load
 * from a file: accepted with every value in its range, or refused with one
 * line of printable ASCII (it reaches logs and error pages) that starts
 * with the file name; never a crash or a leak, and the same answer both
 * ways.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

static bool printable(const struct buf *text)
{
	for (size_t i = 0; i < text->len; i++)
		if (text->p[i] < 0x20 || text->p[i] > 0x7e)
			return false;
	return true;
}

static bool list_ok(char **list, bool may_be_empty)
{
	if (!list || (!may_be_empty && !list[0]))
		return false;
	for (; *list; list++)
		if (!(*list)[0] || strpbrk(*list, " \t"))
			return false;
	return true;
}

static void check_conf(const struct conf *conf)
{
	if (!conf->imapd_argv || !conf->imapd_argv[0] ||
	    conf->imapd_argv[0][0] != '/')
		abort();
	for (char **env = conf->imapd_env; env && *env; env++)
		if (!strchr(*env, '=') || **env == '=')
			abort();
	if (!conf->imapd_env || !conf->title || !conf->templates ||
	    !list_ok(conf->mailboxes, false) || !list_ok(conf->hide, true))
		abort();
	if (conf->page_size < 1 || conf->page_size > 500 || conf->timeout < 1 ||
	    conf->timeout > 3600 || conf->max_literal < 1024 ||
	    conf->max_literal > 4294967296ULL)
		abort();
	if (conf->base_url && strncmp(conf->base_url, "http://", 7) &&
	    strncmp(conf->base_url, "https://", 8))
		abort();
	conf_mailbox_visible(conf, "lists/dev");
	conf_mailbox_visible(conf, "private/2019");
}

/* conf_load on the same bytes, written to a file; its answer. */
static int load_from_file(const uint8_t *data, size_t size, struct buf *err)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = xasprintf("%s/fuzz-conf-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(path), rc;
	struct conf conf;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	rc = conf_load(&conf, path, err);
	if (rc == 0)
		check_conf(&conf);
	else if (strncmp(buf_cstr(err), path, strlen(path)) != 0)
		abort();
	conf_release(&conf);
	unlink(path);
	free(path);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf conf;
	struct buf err = BUF_INIT, file_err = BUF_INIT;
	int rc = conf_parse(&conf, "f.conf", (const char *)data, size, &err);

	if (rc == 0)
		check_conf(&conf);
	else if (strncmp(buf_cstr(&err), "f.conf", 6) != 0 || !printable(&err))
		abort();
	conf_release(&conf);
	if (load_from_file(data, size, &file_err) != rc)
		abort();
	buf_release(&err);
	buf_release(&file_err);
	return 0;
}
