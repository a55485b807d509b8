#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef IMAPEEK_TEMPLATES
#define IMAPEEK_TEMPLATES "/usr/local/share/imapeek/templates"
#endif

#define CONF_MAX_SIZE (1024 * 1024)
#define CONF_MAX_LINE 4096

const char *conf_choose_path(const char *from_command_line)
{
	const char *env;

	if (from_command_line && from_command_line[0])
		return from_command_line;
	env = getenv("IMAPEEK_CONF");
	if (env && env[0])
		return env;
	return "/etc/imapeek.conf";
}

void conf_free_words(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

static void words_add(char ***argv, size_t *n, char *word)
{
	*argv = xrealloc(*argv, (*n + 2) * sizeof(**argv));
	(*argv)[(*n)++] = word;
	(*argv)[*n] = NULL;
}

int conf_split_words(const char *line, char ***argv_out, struct buf *err)
{
	struct buf word = BUF_INIT;
	char **argv = NULL;
	size_t n = 0;
	bool in_word = false, quoted = false;
	int ret = -1;

	for (const char *p = line;; p++) {
		char c = *p;
		if (quoted) {
			if (c == '\0') {
				buf_addstr(err, "unbalanced double quote");
				goto out;
			}
			if (c == '"') {
				quoted = false;
			} else if (c == '\\' && (p[1] == '"' || p[1] == '\\')) {
				buf_addch(&word, *++p);
			} else {
				buf_addch(&word, c);
			}
			continue;
		}
		if (c == '\0' || c == ' ' || c == '\t') {
			if (in_word)
				words_add(&argv, &n, buf_detach(&word, NULL));
			in_word = false;
			if (c == '\0')
				break;
			continue;
		}
		in_word = true;
		if (c == '"')
			quoted = true;
		else
			buf_addch(&word, c);
	}
	if (n == 0) {
		buf_addstr(err, "empty command");
		goto out;
	}
	*argv_out = argv;
	argv = NULL;
	ret = 0;
out:
	conf_free_words(argv);
	buf_release(&word);
	return ret;
}

/* A pattern hides a mailbox and everything below it: "private" hides
 * "private/x" as well, so hiding never leaks children. */
static bool hidden_by(const char *pattern, const char *mailbox)
{
	const char *slash;

	if (fnmatch(pattern, mailbox, 0) == 0)
		return true;
	for (slash = strchr(mailbox, '/'); slash; slash = strchr(slash + 1, '/')) {
		char *parent = xstrndup(mailbox, (size_t)(slash - mailbox));
		bool match = fnmatch(pattern, parent, 0) == 0;
		free(parent);
		if (match)
			return true;
	}
	return false;
}

bool conf_mailbox_visible(const struct conf *conf, const char *mailbox)
{
	bool shown = false;

	/* No FNM_PATHNAME: a star crosses "/" (see conf.h), so "lists/" and a
	 * star shows lists/dev and lists/dev/old, a lone star everything. */
	if (conf->mailboxes) {
		for (char **p = conf->mailboxes; *p && !shown; p++)
			shown = fnmatch(*p, mailbox, 0) == 0;
	} else {
		shown = true;
	}
	for (char **p = conf->hide; shown && p && *p; p++)
		if (hidden_by(*p, mailbox))
			shown = false;
	return shown;
}

enum conf_key {
	KEY_IMAPD, KEY_IMAPD_ENV, KEY_TITLE, KEY_ABOUT, KEY_MAILBOXES, KEY_HIDE,
	KEY_PAGE_SIZE, KEY_TIMEOUT, KEY_MAX_LITERAL, KEY_OBFUSCATE,
	KEY_BASE_URL, KEY_TEMPLATES, KEY_DESCRIPTION, KEY_MAX_CONNECTIONS,
	KEY_MAX_PER_CLIENT, KEY_EXPORT_LIMIT, KEY__MAX
};

static const char *const key_names[KEY__MAX] = {
	[KEY_IMAPD] = "imapd", [KEY_IMAPD_ENV] = "imapd-env",
	[KEY_TITLE] = "title", [KEY_ABOUT] = "about",
	[KEY_MAILBOXES] = "mailboxes", [KEY_HIDE] = "hide",
	[KEY_PAGE_SIZE] = "page-size", [KEY_TIMEOUT] = "timeout",
	[KEY_MAX_LITERAL] = "max-literal", [KEY_OBFUSCATE] = "obfuscate",
	[KEY_BASE_URL] = "base-url", [KEY_TEMPLATES] = "templates",
	[KEY_DESCRIPTION] = "description",
	[KEY_MAX_CONNECTIONS] = "max-connections",
	[KEY_MAX_PER_CLIENT] = "max-per-client",
	[KEY_EXPORT_LIMIT] = "export-limit",
};

/* The keys whose value is a number: its bounds, and the unit said. */
static const struct {
	enum conf_key key;
	uint64_t min, max;
	const char *unit;
} number_keys[] = {
	{ KEY_PAGE_SIZE, 1, 500, "" },
	{ KEY_TIMEOUT, 1, 3600, " (seconds)" },
	{ KEY_MAX_LITERAL, 1024, 4294967296ULL, " (bytes)" },
	/* Each connection costs a descriptor; beyond this wants sharding. */
	{ KEY_MAX_CONNECTIONS, 1, 100000, "" },
	{ KEY_MAX_PER_CLIENT, 1, 100000, "" },
	{ KEY_EXPORT_LIMIT, 1, 1000000, " (messages)" },
};

/* Where a number key's value goes. */
static void set_number(struct conf *conf, enum conf_key key, uint64_t number)
{
	switch (key) {
	case KEY_PAGE_SIZE: conf->page_size = (unsigned)number; break;
	case KEY_TIMEOUT: conf->timeout = (unsigned)number; break;
	case KEY_MAX_LITERAL: conf->max_literal = number; break;
	case KEY_MAX_CONNECTIONS: conf->max_connections = (unsigned)number; break;
	case KEY_MAX_PER_CLIENT: conf->max_per_client = (unsigned)number; break;
	case KEY_EXPORT_LIMIT: conf->export_limit = (unsigned)number; break;
	default: break;
	}
}

/* Printable ASCII only, at most 64 bytes: keys in messages are hostile. */
static void add_safe(struct buf *out, struct str s)
{
	for (size_t i = 0; i < s.len && i < 64; i++)
		buf_addch(out, s.p[i] >= 0x20 && s.p[i] < 0x7f ? s.p[i] : '?');
	if (s.len > 64)
		buf_addstr(out, "...");
}

static bool valid_env_name(struct str name)
{
	if (name.len == 0 || (name.p[0] >= '0' && name.p[0] <= '9'))
		return false;
	for (size_t i = 0; i < name.len; i++) {
		char c = name.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static bool valid_base_url(struct str url)
{
	size_t start;

	if (str_starts_with(url, "https://"))
		start = 8;
	else if (str_starts_with(url, "http://"))
		start = 7;
	else
		return false;
	if (url.len == start || url.p[start] == '/')
		return false;  /* no host */
	for (size_t i = 0; i < url.len; i++) {
		unsigned char c = (unsigned char)url.p[i];
		if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}?#'", c))
			return false;
	}
	return true;
}

/* Relative paths in the file are relative to the file's folder. */
static char *conf_relative(const char *conf_path, struct str value)
{
	const char *slash = strrchr(conf_path, '/');

	if (value.p[0] == '/' || !slash)
		return str_dup(value);
	return xasprintf("%.*s/%.*s", (int)(slash - conf_path), conf_path,
	                 (int)value.len, value.p);
}

static char **split_patterns(struct str value)
{
	char **list = NULL;
	size_t n = 0, i = 0;

	while (i < value.len) {
		size_t start;
		while (i < value.len && (value.p[i] == ' ' || value.p[i] == '\t'))
			i++;
		start = i;
		while (i < value.len && value.p[i] != ' ' && value.p[i] != '\t')
			i++;
		if (i > start)
			words_add(&list, &n, xstrndup(value.p + start, i - start));
	}
	return list;
}

/* One "key = value" line; message (without FILE:LINE) in err. */
static int set_key(struct conf *conf, enum conf_key key, struct str value,
                   struct buf *err)
{
	uint64_t number;
	const char *name = key_names[key];

	if (key != KEY_IMAPD && (value.p[0] == '"' || value.p[0] == '\'')) {
		buf_addf(err, "value of '%s' must not be quoted", name);
		return -1;
	}
	for (size_t i = 0; i < sizeof(number_keys) / sizeof(number_keys[0]); i++) {
		if (number_keys[i].key != key)
			continue;
		if (parse_u64(value, number_keys[i].min, number_keys[i].max, &number)) {
			buf_addf(err, "%s: expected a number in %llu..%llu%s", name,
			         (unsigned long long)number_keys[i].min,
			         (unsigned long long)number_keys[i].max,
			         number_keys[i].unit);
			return -1;
		}
		set_number(conf, key, number);
		return 0;
	}
	switch (key) {
	case KEY_IMAPD: {
		char *line = str_dup(value);
		struct buf why = BUF_INIT;
		int failed = conf_split_words(line, &conf->imapd_argv, &why);
		free(line);
		if (failed)
			buf_addf(err, "imapd: %s", buf_cstr(&why));
		else if (conf->imapd_argv[0][0] != '/')
			buf_addstr(err, "imapd: the program must be an absolute path"),
			failed = -1;
		buf_release(&why);
		return failed ? -1 : 0;
	}
	case KEY_IMAPD_ENV: {
		const char *eq = memchr(value.p, '=', value.len);
		struct str var = { value.p, eq ? (size_t)(eq - value.p) : value.len };
		size_t n = 0;
		if (!eq || !valid_env_name(var)) {
			buf_addstr(err, "imapd-env: expected NAME=VALUE with NAME a variable name");
			return -1;
		}
		if (var.len + 1 < value.len && (eq[1] == '"' || eq[1] == '\'')) {
			buf_addstr(err, "value of 'imapd-env' must not be quoted");
			return -1;
		}
		for (; conf->imapd_env && conf->imapd_env[n]; n++) {
			if (strncmp(conf->imapd_env[n], var.p, var.len) == 0 &&
			    conf->imapd_env[n][var.len] == '=') {
				buf_addstr(err, "imapd-env: variable ");
				add_safe(err, var);
				buf_addstr(err, " set twice");
				return -1;
			}
		}
		words_add(&conf->imapd_env, &n, str_dup(value));
		return 0;
	}
	case KEY_DESCRIPTION: {
		/* "NAME: TEXT": the first ": " ends the name. */
		const char *sep = NULL;
		size_t n = 0;
		for (size_t i = 0; i + 1 < value.len && !sep; i++)
			if (value.p[i] == ':' && value.p[i + 1] == ' ')
				sep = value.p + i;
		if (!sep || sep == value.p) {
			buf_addstr(err, "description: expected MAILBOX: TEXT");
			return -1;
		}
		for (; conf->description_names && conf->description_names[n]; n++)
			;
		size_t m = n;
		words_add(&conf->description_names, &n,
		          str_dup((struct str){ value.p, (size_t)(sep - value.p) }));
		words_add(&conf->description_texts, &m,
		          str_dup(str_trim((struct str){ sep + 2,
		                                         value.len - (size_t)(sep - value.p) - 2 })));
		return 0;
	}
	case KEY_TITLE:
		free(conf->title);
		conf->title = str_dup(value);
		return 0;
	case KEY_ABOUT:
		conf->about = conf_relative(conf->path, value);
		return 0;
	case KEY_MAILBOXES:
		conf_free_words(conf->mailboxes);
		conf->mailboxes = split_patterns(value);
		return 0;
	case KEY_HIDE:
		conf->hide = split_patterns(value);
		return 0;
	case KEY_OBFUSCATE:
		if (str_eq(value, "yes") || str_eq(value, "no")) {
			conf->obfuscate = str_eq(value, "yes");
			return 0;
		}
		buf_addstr(err, "obfuscate: expected yes or no");
		return -1;
	case KEY_BASE_URL:
		if (!valid_base_url(value)) {
			buf_addstr(err, "base-url: expected an absolute http:// or https:// URL without query");
			return -1;
		}
		while (value.len > 1 && value.p[value.len - 1] == '/')
			value.len--;
		conf->base_url = str_dup(value);
		return 0;
	case KEY_TEMPLATES:
		free(conf->templates);
		conf->templates = conf_relative(conf->path, value);
		return 0;
	default:
		break;
	}
	return -1;
}

static void set_defaults(struct conf *conf, const char *name)
{
	memset(conf, 0, sizeof(*conf));
	conf->path = xstrdup(name);
	conf->title = xstrdup("imapeek");
	conf->page_size = 50;
	conf->timeout = 10;
	conf->max_literal = 67108864;
	conf->max_connections = 256;
	conf->max_per_client = 16;
	conf->export_limit = 1000;
	conf->templates = xstrdup(IMAPEEK_TEMPLATES);
}

int conf_parse(struct conf *conf, const char *name, const char *text,
               size_t len, struct buf *err)
{
	bool seen[KEY__MAX] = { false };
	struct buf settings = BUF_INIT;
	unsigned line_no = 0;
	size_t pos = 0;
	int ret = -1;

	set_defaults(conf, name);
	if (len > CONF_MAX_SIZE) {
		buf_addf(err, "%s: larger than %d bytes", name, CONF_MAX_SIZE);
		goto out;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		struct str line = { text + pos, nl ? (size_t)(nl - text) - pos : len - pos };
		struct str key, value;
		const char *eq;
		size_t before;
		enum conf_key k;

		pos += line.len + 1;
		line_no++;
#define FAIL(...) do { \
			buf_addf(err, "%s:%u: ", name, line_no); \
			buf_addf(err, __VA_ARGS__); \
			goto out; \
		} while (0)
		if (line.len > CONF_MAX_LINE)
			FAIL("line longer than %d bytes", CONF_MAX_LINE);
		if (memchr(line.p, '\0', line.len))
			FAIL("NUL byte");
		line = str_trim(line);
		if (line.len == 0 || line.p[0] == '#')
			continue;
		eq = memchr(line.p, '=', line.len);
		if (!eq)
			FAIL("expected 'key = value'");
		key = str_trim((struct str){ line.p, (size_t)(eq - line.p) });
		value = str_trim((struct str){ eq + 1, line.len - (size_t)(eq - line.p) - 1 });
		if (key.len == 0)
			FAIL("expected 'key = value'");
		for (k = 0; k < KEY__MAX; k++)
			if (str_eq(key, key_names[k]))
				break;
		if (k == KEY__MAX) {
			buf_addf(err, "%s:%u: unknown key '", name, line_no);
			add_safe(err, key);
			buf_addch(err, '\'');
			goto out;
		}
		if (value.len == 0)
			FAIL("missing value for '%s'", key_names[k]);
		if (seen[k] && k != KEY_IMAPD_ENV && k != KEY_DESCRIPTION)
			FAIL("'%s' set twice", key_names[k]);
		seen[k] = true;
		before = err->len;
		buf_addf(err, "%s:%u: ", name, line_no);
		if (set_key(conf, k, value, err))
			goto out;
		buf_truncate(err, before);
		buf_addf(&settings, "%s=", key_names[k]);
		buf_add(&settings, value.p, value.len);
		buf_addch(&settings, '\n');
#undef FAIL
	}
	if (!seen[KEY_IMAPD]) {
		buf_addf(err, "%s: missing required key 'imapd'", name);
		goto out;
	}
	if (!conf->mailboxes)
		conf->mailboxes = split_patterns(STR_LIT("*"));
	if (!conf->imapd_env)
		conf->imapd_env = xcalloc(1, sizeof(char *));
	if (!conf->hide)
		conf->hide = xcalloc(1, sizeof(char *));
	conf->settings = buf_detach(&settings, NULL);
	ret = 0;
out:
	buf_release(&settings);
	if (ret)
		conf_release(conf);
	return ret;
}

int conf_load(struct conf *conf, const char *path, struct buf *err)
{
	struct buf text = BUF_INIT;
	int ret = -1;

	memset(conf, 0, sizeof(*conf));
	if (buf_read_file(&text, path, CONF_MAX_SIZE, err) == 0)
		ret = conf_parse(conf, path, buf_cstr(&text), text.len, err);
	buf_release(&text);
	return ret;
}

void conf_release(struct conf *conf)
{
	free(conf->path);
	conf_free_words(conf->imapd_argv);
	conf_free_words(conf->imapd_env);
	free(conf->title);
	free(conf->about);
	conf_free_words(conf->mailboxes);
	conf_free_words(conf->hide);
	free(conf->base_url);
	free(conf->templates);
	conf_free_words(conf->description_names);
	conf_free_words(conf->description_texts);
	free(conf->settings);
	memset(conf, 0, sizeof(*conf));
}

const char *conf_description(const struct conf *conf, const char *mailbox)
{
	for (size_t i = 0; conf->description_names && conf->description_names[i]; i++)
		if (!strcmp(conf->description_names[i], mailbox))
			return conf->description_texts[i];
	return NULL;
}

void conf_fingerprint(const struct conf *conf, struct buf *out)
{
	buf_addstr(out, conf->settings ? conf->settings : "");
}
