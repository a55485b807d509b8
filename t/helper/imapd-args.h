/*
 * For the helper programs: the imapd's argv and environment from the
 * IMAPD_CMD / IMAPD_ENV strings of t/lib-imapd.sh.  IMAPD_CMD is split as
 * imapeek.conf's "imapd" key is (blanks separate words, double quotes
 * group, backslash escapes inside quotes); a program without a "/" is
 * looked up in PATH here, since the session layer runs only absolute paths.
 */
#ifndef IMAPEEK_T_IMAPD_ARGS_H
#define IMAPEEK_T_IMAPD_ARGS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

struct imapd_args {
	char **argv;
	char **envp;
};

static char **split_words(const char *line)
{
	char **words = xcalloc(strlen(line) + 2, sizeof(*words));
	size_t count = 0;
	const char *p = line;

	for (;;) {
		struct buf word = BUF_INIT;
		bool quoted = false, any = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
			any = true;
			if (*p == '"') {
				quoted = !quoted;
			} else if (quoted && *p == '\\' && p[1]) {
				buf_addch(&word, *++p);
			} else {
				buf_addch(&word, *p);
			}
		}
		if (any)
			words[count++] = xstrdup(buf_cstr(&word));
		buf_release(&word);
	}
	words[count] = NULL;
	return words;
}

static char *find_in_path(const char *program)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (strchr(program, '/'))
		return xstrdup(program);
	copy = xstrdup(path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *candidate = xasprintf("%s/%s", dir, program);

		if (access(candidate, X_OK) == 0) {
			found = candidate;
			break;
		}
		free(candidate);
	}
	free(copy);
	return found ? found : xstrdup(program);
}

static void imapd_args_init(struct imapd_args *args, const char *cmd, const char *env)
{
	args->argv = split_words(cmd ? cmd : "");
	args->envp = split_words(env ? env : "");
	if (args->argv[0]) {
		char *full = find_in_path(args->argv[0]);

		free(args->argv[0]);
		args->argv[0] = full;
	}
}

static void imapd_args_release(struct imapd_args *args)
{
	for (size_t i = 0; args->argv[i]; i++)
		free(args->argv[i]);
	for (size_t i = 0; args->envp[i]; i++)
		free(args->envp[i]);
	free(args->argv);
	free(args->envp);
}

#endif
