/* The configuration file: every key, every error with its line number. */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "../tap.h"

#define IMAPD "imapd = /usr/lib/dovecot/imap\n"

/* {file text, expected error or NULL when it must load}. */
static const struct {
	const char *text;
	size_t len;       /* 0: strlen(text) */
	const char *error;
} rows[] = {
	{ IMAPD, 0, NULL },
	{ "# comment\n\n   \n" IMAPD "  # indented comment\n", 0, NULL },
	{ "imapd = /usr/lib/dovecot/imap\r\ntitle = Lists\r\n", 0, NULL },
	{ IMAPD "title", 0, "t.conf:2: expected 'key = value'" },
	{ IMAPD "\n= x\n", 0, "t.conf:3: expected 'key = value'" },
	{ IMAPD "colour = red\n", 0, "t.conf:2: unknown key 'colour'" },
	{ IMAPD "Title = x\n", 0, "t.conf:2: unknown key 'Title'" },
	{ IMAPD "<b>\x01 = x\n", 0, "t.conf:2: unknown key '<b>?'" },
	{ IMAPD "title =\n", 0, "t.conf:2: missing value for 'title'" },
	{ IMAPD "title =   \t\n", 0, "t.conf:2: missing value for 'title'" },
	{ IMAPD "title = a\ntitle = b\n", 0, "t.conf:3: 'title' set twice" },
	{ IMAPD IMAPD, 0, "t.conf:2: 'imapd' set twice" },
	{ "title = x\n", 0, "t.conf: missing required key 'imapd'" },
	{ "", 0, "t.conf: missing required key 'imapd'" },
	{ "imapd = imap\n", 0, "t.conf:1: imapd: the program must be an absolute path" },
	{ "imapd = \"/usr/bin/imap\n", 0, "t.conf:1: imapd: unbalanced double quote" },
	{ "imapd = \"\n", 0, "t.conf:1: imapd: unbalanced double quote" },
	{ "imapd = /a \"b\\\"\n", 0, "t.conf:1: imapd: unbalanced double quote" },
	{ IMAPD "title = \"Lists\"\n", 0, "t.conf:2: value of 'title' must not be quoted" },
	{ IMAPD "page-size = 0\n", 0, "t.conf:2: page-size: expected a number in 1..500" },
	{ IMAPD "page-size = 501\n", 0, "t.conf:2: page-size: expected a number in 1..500" },
	{ IMAPD "page-size = -1\n", 0, "t.conf:2: page-size: expected a number in 1..500" },
	{ IMAPD "page-size = 1O\n", 0, "t.conf:2: page-size: expected a number in 1..500" },
	{ IMAPD "page-size = 99999999999999999999999\n", 0, "t.conf:2: page-size: expected a number in 1..500" },
	{ IMAPD "page-size = 500\n", 0, NULL },
	{ IMAPD "timeout = 0\n", 0, "t.conf:2: timeout: expected a number in 1..3600 (seconds)" },
	{ IMAPD "timeout = 3601\n", 0, "t.conf:2: timeout: expected a number in 1..3600 (seconds)" },
	{ IMAPD "max-literal = 1023\n", 0, "t.conf:2: max-literal: expected a number in 1024..4294967296 (bytes)" },
	{ IMAPD "max-literal = 4294967297\n", 0, "t.conf:2: max-literal: expected a number in 1024..4294967296 (bytes)" },
	{ IMAPD "max-connections = 0\n", 0, "t.conf:2: max-connections: expected a number in 1..100000" },
	{ IMAPD "max-connections = 100001\n", 0, "t.conf:2: max-connections: expected a number in 1..100000" },
	{ IMAPD "max-per-client = 0\n", 0, "t.conf:2: max-per-client: expected a number in 1..100000" },
	{ IMAPD "max-per-client = x\n", 0, "t.conf:2: max-per-client: expected a number in 1..100000" },
	{ IMAPD "export-limit = 0\n", 0, "t.conf:2: export-limit: expected a number in 1..1000000 (messages)" },
	{ IMAPD "export-limit = 1000001\n", 0, "t.conf:2: export-limit: expected a number in 1..1000000 (messages)" },
	{ IMAPD "export-limit = 5\nexport-limit = 6\n", 0, "t.conf:3: 'export-limit' set twice" },
	{ IMAPD "obfuscate = true\n", 0, "t.conf:2: obfuscate: expected yes or no" },
	{ IMAPD "obfuscate = YES\n", 0, "t.conf:2: obfuscate: expected yes or no" },
	{ IMAPD "base-url = example.org\n", 0, "t.conf:2: base-url: expected an absolute http:// or https:// URL without query" },
	{ IMAPD "base-url = javascript:alert(1)\n", 0, "t.conf:2: base-url: expected an absolute http:// or https:// URL without query" },
	{ IMAPD "base-url = https:///x\n", 0, "t.conf:2: base-url: expected an absolute http:// or https:// URL without query" },
	{ IMAPD "base-url = https://a.example/\"><script>\n", 0, "t.conf:2: base-url: expected an absolute http:// or https:// URL without query" },
	{ IMAPD "base-url = https://a.example/x?y=1\n", 0, "t.conf:2: base-url: expected an absolute http:// or https:// URL without query" },
	{ IMAPD "imapd-env = HOME\n", 0, "t.conf:2: imapd-env: expected NAME=VALUE with NAME a variable name" },
	{ IMAPD "imapd-env = 1X=y\n", 0, "t.conf:2: imapd-env: expected NAME=VALUE with NAME a variable name" },
	{ IMAPD "imapd-env = A-B=y\n", 0, "t.conf:2: imapd-env: expected NAME=VALUE with NAME a variable name" },
	{ IMAPD "imapd-env = =y\n", 0, "t.conf:2: imapd-env: expected NAME=VALUE with NAME a variable name" },
	{ IMAPD "imapd-env = HOME=/a\nimapd-env = HOME=/b\n", 0, "t.conf:3: imapd-env: variable HOME set twice" },
	{ IMAPD "imapd-env = HOME=\"/a\"\n", 0, "t.conf:2: value of 'imapd-env' must not be quoted" },
	{ IMAPD "title = a\0b\n", sizeof(IMAPD "title = a\0b\n") - 1, "t.conf:2: NUL byte" },
	/* Found by fuzz-conf: an empty VALUE at the very end of the file. */
	{ IMAPD "imapd-env = X=", 0, NULL },
	{ IMAPD "mailboxes = a\nmailboxes = b\n", 0, "t.conf:3: 'mailboxes' set twice" },
};

static void table(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct conf conf;
		struct buf err = BUF_INIT;
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].text);
		int ret = conf_parse(&conf, "t.conf", rows[i].text, len, &err);

		if (rows[i].error) {
			tap_ok(ret == -1, "row %zu rejected", i);
			tap_is_str(buf_cstr(&err), rows[i].error, "  with its message");
		} else {
			tap_ok(ret == 0 && err.len == 0, "row %zu accepted%s%s", i,
			       err.len ? ": " : "", buf_cstr(&err));
		}
		conf_release(&conf);
		buf_release(&err);
	}
}

static void long_line(void)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	struct conf conf;

	buf_addstr(&text, IMAPD "title = ");
	for (int i = 0; i < 5000; i++)
		buf_addch(&text, 'x');
	buf_addstr(&text, "\n");
	tap_ok(conf_parse(&conf, "t.conf", text.p, text.len, &err) == -1,
	       "a 5000-byte line is rejected");
	tap_is_str(buf_cstr(&err), "t.conf:2: line longer than 4096 bytes", "  at its line");
	conf_release(&conf);
	buf_release(&text);
	buf_release(&err);
}

static void values(void)
{
	const char *text =
		"imapd =  /usr/lib/dovecot/imap -c \"/etc/my conf\" -o \"a=\\\"q\\\" \\\\ \\n\"  x\"y z\"\"\"\n"
		"imapd-env = HOME=/var/lib/imapeek\n"
		"imapd-env = USER=mail=x\n"
		"title =   Mailing <lists> & more  \n"
		"about = about.md\n"
		"mailboxes = lists/*   INBOX\n"
		"hide = lists/private*\n"
		"page-size = 20\n"
		"timeout = 3600\n"
		"max-literal = 1024\n"
		"max-connections = 4000\n"
		"max-per-client = 3\n"
		"export-limit = 7\n"
		"obfuscate = yes\n"
		"base-url = https://example.org/archive///\n"
		"templates = /srv/tmpl\n";
	const char *argv[] = { "/usr/lib/dovecot/imap", "-c", "/etc/my conf", "-o",
	                       "a=\"q\" \\ \\n", "xy z", NULL };
	struct conf conf;
	struct buf err = BUF_INIT;
	size_t i;
	int ret = conf_parse(&conf, "/etc/imapeek/t.conf", text, strlen(text), &err);

	tap_ok(ret == 0, "a full file loads %s", buf_cstr(&err));
	if (ret)
		return;
	for (i = 0; argv[i] && conf.imapd_argv[i]; i++)
		tap_is_str(conf.imapd_argv[i], argv[i], "imapd word");
	tap_ok(!argv[i] && !conf.imapd_argv[i], "imapd has 6 words");
	tap_is_str(conf.imapd_env[0], "HOME=/var/lib/imapeek", "imapd-env 1");
	tap_is_str(conf.imapd_env[1], "USER=mail=x", "imapd-env 2 keeps '=' in the value");
	tap_ok(conf.imapd_env[2] == NULL, "imapd-env has 2 entries");
	tap_is_str(conf.title, "Mailing <lists> & more", "title trimmed, kept as written");
	tap_is_str(conf.about, "/etc/imapeek/about.md", "about relative to the file");
	tap_is_str(conf.mailboxes[0], "lists/*", "mailboxes 1");
	tap_is_str(conf.mailboxes[1], "INBOX", "mailboxes 2");
	tap_ok(conf.mailboxes[2] == NULL, "mailboxes has 2 patterns");
	tap_ok(conf.page_size == 20 && conf.timeout == 3600 &&
	       conf.max_literal == 1024 && conf.obfuscate, "numbers and yes");
	tap_ok(conf.max_connections == 4000 && conf.max_per_client == 3 &&
	       conf.export_limit == 7, "the limits");
	tap_is_str(conf.base_url, "https://example.org/archive", "base-url trailing slashes stripped");
	tap_is_str(conf.templates, "/srv/tmpl", "templates absolute");

	/* {mailbox, shown?} */
	static const struct { const char *mailbox; bool shown; } vis[] = {
		{ "lists/dev", true }, { "lists/dev/old", true }, { "INBOX", true },
		{ "lists", false }, { "Sent", false }, { "lists/private", false },
		{ "lists/private-2019", false }, { "lists/private/sub", false },
		{ "inbox", false }, { "", false },
	};
	for (i = 0; i < sizeof(vis) / sizeof(vis[0]); i++)
		tap_ok(conf_mailbox_visible(&conf, vis[i].mailbox) == vis[i].shown,
		       "'%s' %s", vis[i].mailbox, vis[i].shown ? "shown" : "not shown");
	conf_release(&conf);
	buf_release(&err);
}

static void defaults(void)
{
	struct conf conf;
	struct buf err = BUF_INIT;

	tap_ok(conf_parse(&conf, "t.conf", IMAPD, strlen(IMAPD), &err) == 0, "minimal file");
	tap_is_str(conf.title, "imapeek", "default title");
	tap_ok(conf.page_size == 50 && conf.timeout == 10 &&
	       conf.max_literal == 67108864 && !conf.obfuscate &&
	       !conf.base_url && !conf.about, "default numbers");
	tap_ok(conf.max_connections == 256 && conf.max_per_client == 16 &&
	       conf.export_limit == 1000, "default limits (SPEC.md)");
	tap_ok(conf.imapd_env && !conf.imapd_env[0], "no imapd-env: empty environment");
	tap_ok(conf_mailbox_visible(&conf, "a") && conf_mailbox_visible(&conf, "a/b/c") &&
	       conf_mailbox_visible(&conf, ".hidden"), "default '*' shows every level");
	conf_release(&conf);

	buf_reset(&err);
	const char *hide = IMAPD "hide = private Trash\n";
	tap_ok(conf_parse(&conf, "t.conf", hide, strlen(hide), &err) == 0, "hide only");
	tap_ok(!conf_mailbox_visible(&conf, "private") &&
	       !conf_mailbox_visible(&conf, "private/2019") &&
	       !conf_mailbox_visible(&conf, "Trash") &&
	       conf_mailbox_visible(&conf, "privateer") &&
	       conf_mailbox_visible(&conf, "lists/private"),
	       "hide covers the mailbox and below, nothing else");
	conf_release(&conf);
	buf_release(&err);
}

static void split(void)
{
	static const struct { const char *line; const char *joined; } words[] = {
		{ "a b\tc", "a|b|c" },
		{ "  a  ", "a" },
		{ "\"a b\"", "a b" },
		{ "\"\"", "" },
		{ "a\"\"b", "ab" },
		{ "'a b'", "'a|b'" },
		{ "a\\ b", "a\\|b" },
		{ "\"\\x\"", "\\x" },
		{ "$HOME `id` ;|&", "$HOME|`id`|;|&" },
		{ "", NULL },
		{ "   ", NULL },
		{ "\"a", NULL },
		{ "a \"b\\\"", NULL },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		char **argv = NULL;
		struct buf err = BUF_INIT, joined = BUF_INIT;
		int ret = conf_split_words(words[i].line, &argv, &err);

		if (!words[i].joined) {
			tap_ok(ret == -1 && err.len, "split '%s' rejected", words[i].line);
		} else if (tap_ok(ret == 0, "split '%s'", words[i].line)) {
			for (char **p = argv; *p; p++)
				buf_addf(&joined, "%s%s", p == argv ? "" : "|", *p);
			tap_is_str(buf_cstr(&joined), words[i].joined, "  words");
		}
		conf_free_words(argv);
		buf_release(&err);
		buf_release(&joined);
	}
}

static void choose(void)
{
	setenv("IMAPEEK_CONF", "/from/env", 1);
	tap_is_str(conf_choose_path("/from/cmd"), "/from/cmd", "-c wins");
	tap_is_str(conf_choose_path(NULL), "/from/env", "then IMAPEEK_CONF");
	unsetenv("IMAPEEK_CONF");
	tap_is_str(conf_choose_path(NULL), "/etc/imapeek.conf", "then /etc");
}

static void load(void)
{
	struct conf conf;
	struct buf err = BUF_INIT;

	tap_ok(conf_load(&conf, "/nonexistent/imapeek.conf", &err) == -1 &&
	       strstr(buf_cstr(&err), "/nonexistent/imapeek.conf: ") != NULL,
	       "a missing file names itself");
	conf_release(&conf);
	buf_release(&err);
}

int main(void)
{
	table();
	long_line();
	values();
	defaults();
	split();
	choose();
	load();
	return tap_done();
}
