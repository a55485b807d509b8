/*
 * thread.c: RFC 5256 REFERENCES on hand-built message sets, the THREAD
 * answer converter, base subjects, msg-ids, flattening, participants.
 *
 * A message set is written one message a line:
 *   uid|Message-ID|References|In-Reply-To|Subject|date|From
 * with "-" for a header that is absent.  The expected forest is written
 * as Dovecot answers UID THREAD; NULL means thread_build() must refuse.
 */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "thread.h"

struct set {
	struct thread_msg *msgs;
	size_t count;
	char *text;
};

static struct str field(char **cursor)
{
	char *start = *cursor, *bar = strchr(start, '|');

	if (bar) {
		*bar = '\0';
		*cursor = bar + 1;
	} else {
		*cursor = start + strlen(start);
	}
	if (strcmp(start, "-") == 0)
		return STR_NULL;
	return str_from(start);
}

static void set_parse(struct set *set, const char *spec)
{
	char *line, *save = NULL;

	set->text = xstrdup(spec);
	set->count = 0;
	set->msgs = xcalloc(64, sizeof(*set->msgs));
	for (line = strtok_r(set->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct thread_msg *m = &set->msgs[set->count++];
		uint64_t number = 0;
		char *cursor = line;
		(void)parse_u64(field(&cursor), 0, UINT32_MAX, &number);
		m->uid = (uint32_t)number;
		m->message_id = field(&cursor);
		m->references = field(&cursor);
		m->in_reply_to = field(&cursor);
		m->subject = field(&cursor);
		number = 0;
		(void)parse_u64(field(&cursor), 0, UINT32_MAX, &number);
		m->date = (time_t)number;
		m->from = field(&cursor);
	}
}

static void set_free(struct set *set)
{
	free(set->msgs);
	free(set->text);
}

/* Test names are one TAP line: control characters shown as \xNN. */
static const char *shown(const char *text, char *out, size_t size)
{
	size_t o = 0;

	for (; *text && o + 5 < size; text++) {
		unsigned char c = (unsigned char)*text;
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

static const struct {
	const char *name, *msgs, *expected;
} build_rows[] = {
	{ "simple chain",
	  "1|<a@x>|-|-|one|10\n2|<b@x>|<a@x>|-|two|20\n3|<c@x>|<a@x> <b@x>|-|three|30",
	  "(1 2 3)" },
	{ "siblings ordered by date, not uid",
	  "1|<a@x>|-|-|s1|10\n2|<b@x>|<a@x>|-|s2|30\n3|<c@x>|<a@x>|-|s3|20",
	  "(1 (3)(2))" },
	{ "equal dates: uid order",
	  "1|<a@x>|-|-|s1|10\n2|<b@x>|<a@x>|-|s2|20\n3|<c@x>|<a@x>|-|s3|20",
	  "(1 (2)(3))" },
	{ "missing parent with two children stays as a placeholder",
	  "1|<b@x>|<z@x>|-|s1|10\n2|<c@x>|<z@x>|-|s2|20",
	  "((1)(2))" },
	{ "missing parent with one child: the child is the root",
	  "1|<b@x>|<z@x>|-|s1|10",
	  "(1)" },
	{ "missing message in the middle of a chain is spliced out",
	  "1|<a@x>|-|-|s1|10\n2|<c@x>|<a@x> <b@x>|-|s2|20",
	  "(1 2)" },
	{ "placeholders between messages vanish, children promoted",
	  "1|<a@x>|-|-|s1|10\n2|<c@x>|<a@x> <b@x>|-|s2|20\n3|<d@x>|<a@x> <b@x>|-|s3|30",
	  "(1 (2)(3))" },
	{ "a loop in References never makes a cycle",
	  "1|<a@x>|<b@x>|-|s1|10\n2|<b@x>|<a@x>|-|s2|20",
	  "(2 1)" },
	{ "a longer loop",
	  "1|<a@x>|<c@x> <b@x>|-|s1|10\n2|<b@x>|<a@x> <c@x>|-|s2|20\n3|<c@x>|<b@x> <a@x>|-|s3|30",
	  "(3 2 1)" },
	{ "self-reference is ignored",
	  "1|<a@x>|<a@x>|<a@x>|s1|10\n2|<b@x>|<a@x> <b@x>|-|s2|20",
	  "(1)(2)" },
	{ "duplicate Message-ID: the second message is on its own",
	  "1|<a@x>|-|-|s1|10\n2|<a@x>|-|-|s2|20\n3|<b@x>|<a@x>|-|s3|30",
	  "(1 3)(2)" },
	{ "duplicate of a placeholder's id: the message takes it",
	  "1|<b@x>|<a@x>|-|s1|10\n2|<a@x>|-|-|s2|5",
	  "(2 1)" },
	{ "no Message-ID: a thread of its own, and can still reply",
	  "1|-|-|-|s1|10\n2|<junk>|<a@x>|-|s2|20\n3|<a@x>|-|-|s3|5",
	  "(3 2)(1)" },
	{ "In-Reply-To when there are no References",
	  "1|<a@x>|-|-|s1|10\n2|<b@x>|-|<a@x> <c@x>|s2|20",
	  "(1 2)" },
	{ "References win over In-Reply-To",
	  "1|<a@x>|-|-|s1|10\n2|<b@x>|-|-|s2|20\n3|<c@x>|<a@x>|<b@x>|s3|30",
	  "(1 3)(2)" },
	{ "invalid References fall back to In-Reply-To",
	  "1|<a@x>|-|-|s1|10\n2|<b@x>|<nonsense> junk|<a@x>|s2|20",
	  "(1 2)" },
	{ "later message changes a guessed parent (1.B)",
	  "1|<c@x>|<a@x> <b@x>|-|s1|10\n2|<b@x>|-|-|s2|20\n3|<d@x>|<a@x> <c@x>|-|s3|30",
	  "(2 1 3)" },
	{ "threads ordered by date of their first message",
	  "1|<a@x>|-|-|s1|30\n2|<b@x>|-|-|s2|10\n3|<c@x>|-|-|s3|20",
	  "(2)(3)(1)" },
	{ "subject: a reply joins the original",
	  "1|<a@x>|-|-|Hello|10\n2|<b@x>|-|-|Re: hello|20",
	  "(1 2)" },
	{ "subject: two originals get a placeholder",
	  "1|<a@x>|-|-|Hello|10\n2|<b@x>|-|-|hello|20",
	  "((1)(2))" },
	{ "subject: the original replaces an earlier reply in the table",
	  "1|<a@x>|-|-|Re: Hello|10\n2|<b@x>|-|-|Hello|20",
	  "(2 1)" },
	{ "subject: list tags and Fwd are not part of it",
	  "1|<a@x>|-|-|[list] Topic|10\n2|<b@x>|-|-|Fwd: [list] Re: topic (fwd)|20\n3|<c@x>|-|-|Other|30",
	  "(1 2)(3)" },
	{ "subject: empty base subjects are never grouped",
	  "1|<a@x>|-|-|Re:|10\n2|<b@x>|-|-|Re: |20\n3|<c@x>|-|-|-|30\n4|<d@x>|-|-|-|40",
	  "(1)(2)(3)(4)" },
	{ "subject: placeholders merge with placeholders",
	  "1|<b@x>|<z@x>|-|Topic|10\n2|<c@x>|<z@x>|-|Re: topic|20\n"
	  "3|<e@x>|<y@x>|-|Topic|30\n4|<f@x>|<y@x>|-|Re: topic|40",
	  "((1)(2)(3)(4))" },
	{ "subject: a message joins a placeholder thread of its subject",
	  "1|<b@x>|<z@x>|-|Topic|10\n2|<c@x>|<z@x>|-|Re: topic|20\n3|<e@x>|-|-|Topic|30",
	  "((1)(2)(3))" },
	{ "subject grouping after sorting: the oldest thread collects",
	  "1|<a@x>|-|-|Re: X|50\n2|<b@x>|-|-|Re: X|10",
	  "((2)(1))" },
	{ "uids out of order are refused", "2|<a@x>|-|-|s|1\n1|<b@x>|-|-|s|1", NULL },
	{ "uid 0 is refused", "0|<a@x>|-|-|s|1", NULL },
	{ "empty set", "", "" },
};

static void test_build(void)
{
	for (size_t i = 0; i < sizeof(build_rows) / sizeof(build_rows[0]); i++) {
		struct thread_forest forest;
		struct buf out = BUF_INIT;
		struct set set;
		int rc;

		set_parse(&set, build_rows[i].msgs);
		thread_forest_init(&forest);
		rc = thread_build(&forest, set.msgs, set.count);
		if (!build_rows[i].expected) {
			tap_ok(rc == -1, "build: %s", build_rows[i].name);
		} else {
			thread_format(&forest, &out);
			if (rc < 0)
				tap_ok(0, "build: %s (refused)", build_rows[i].name);
			else
				tap_is_str(buf_cstr(&out), build_rows[i].expected, build_rows[i].name);
		}
		buf_release(&out);
		thread_forest_release(&forest);
		set_free(&set);
	}
}

/* Longer than THREAD_MAX_REFS: the nearest references are kept. */
static void test_long_references(void)
{
	struct thread_msg msgs[3];
	struct thread_forest forest;
	struct buf refs = BUF_INIT, out = BUF_INIT;

	for (int i = 0; i < 300; i++)
		buf_addf(&refs, "<r%d@x> ", i);
	memset(msgs, 0, sizeof(msgs));
	msgs[0] = (struct thread_msg){ .uid = 1, .message_id = STR_LIT("<r299@x>"), .subject = STR_LIT("a"), .date = 1 };
	msgs[1] = (struct thread_msg){ .uid = 2, .message_id = STR_LIT("<r0@x>"), .subject = STR_LIT("b"), .date = 2 };
	msgs[2] = (struct thread_msg){ .uid = 3, .message_id = STR_LIT("<m@x>"), .references = str_from_buf(&refs),
	                               .subject = STR_LIT("c"), .date = 3 };
	thread_forest_init(&forest);
	tap_ok(thread_build(&forest, msgs, 3) == 0, "300 references accepted");
	thread_format(&forest, &out);
	tap_is_str(buf_cstr(&out), "(1 3)(2)", "300 references: parent is the last, the oldest are dropped");
	buf_release(&out);
	buf_release(&refs);
	thread_forest_release(&forest);
}

/* A chain of 20000 replies: no recursion anywhere, depth is right. */
static void test_deep_chain(void)
{
	enum { N = 20000 };
	struct thread_msg *msgs = xcalloc(N, sizeof(*msgs));
	char **ids = xcalloc(N, sizeof(*ids));
	struct thread_forest forest;
	struct thread_row *rows;
	size_t count;

	for (int i = 0; i < N; i++) {
		ids[i] = xasprintf("<m%d@x>", i);
		msgs[i].uid = (uint32_t)i + 1;
		msgs[i].message_id = str_from(ids[i]);
		if (i)
			msgs[i].in_reply_to = str_from(ids[i - 1]);
		msgs[i].date = i;
		msgs[i].subject = STR_LIT("deep");
	}
	thread_forest_init(&forest);
	tap_ok(thread_build(&forest, msgs, N) == 0 && forest.nthreads == 1, "20000-deep chain is one thread");
	count = thread_flatten(&forest, &forest.threads[0], &rows);
	tap_ok(count == N && rows[N - 1].depth == N - 1 && rows[N - 1].uid == N,
	       "20000-deep chain flattens to depth %u", count == N ? rows[N - 1].depth : 0);
	free(rows);
	thread_forest_release(&forest);
	for (int i = 0; i < N; i++)
		free(ids[i]);
	free(ids);
	free(msgs);
}

static const struct {
	const char *input, *expected;
} imap_rows[] = {
	{ "(2)(3 6 (4 23)(44 7 96))", "(2)(3 6 (4 23)(44 7 96))" },
	{ " ((3)(5)) (1)\r\n", "((3)(5))(1)" },
	{ "(1 2 3)", "(1 2 3)" },
	{ "", "" },
	{ "(4294967295)", "(4294967295)" },
	{ "(4294967296)", NULL },
	{ "(0)", NULL },
	{ "()", NULL },
	{ "(", NULL },
	{ "(1", NULL },
	{ "(1))", NULL },
	{ ")(", NULL },
	{ "(1 (2)(3) 4)", NULL },
	{ "(a)", NULL },
	{ "1 2", NULL },
	{ "(1)\n(2)", NULL },
	{ "(-1)", NULL },
	{ "(1 2 (3)", NULL },
	{ "((1) 2)", NULL },
	{ "(1 x)", NULL },
};

static void test_from_imap(void)
{
	for (size_t i = 0; i < sizeof(imap_rows) / sizeof(imap_rows[0]); i++) {
		struct thread_forest forest;
		struct buf out = BUF_INIT;
		int rc;

		thread_forest_init(&forest);
		rc = thread_from_imap(&forest, str_from(imap_rows[i].input));
		if (!imap_rows[i].expected) {
			char name[128];
			tap_ok(rc == -1 && forest.nthreads == 0, "THREAD answer refused: '%s'",
			       shown(imap_rows[i].input, name, sizeof(name)));
		} else {
			thread_format(&forest, &out);
			char name[128];
			tap_ok(rc == 0, "THREAD answer accepted: '%s'", shown(imap_rows[i].input, name, sizeof(name)));
			tap_is_str(buf_cstr(&out), imap_rows[i].expected, "THREAD answer round trip");
		}
		buf_release(&out);
		thread_forest_release(&forest);
	}
	/* a chain of 1,000 replies is one thread 1,000 deep, no recursion */
	struct buf chain = BUF_INIT;
	struct thread_row *rows;
	buf_addch(&chain, '(');
	for (int i = 1; i <= 1000; i++)
		buf_addf(&chain, "%s%d", i > 1 ? " " : "", i);
	buf_addch(&chain, ')');
	struct thread_forest one;
	thread_forest_init(&one);
	tap_ok(thread_from_imap(&one, str_from_buf(&chain)) == 0 && one.nthreads == 1 &&
	       thread_flatten(&one, &one.threads[0], &rows) == 1000 && rows[999].depth == 999 &&
	       rows[999].uid == 1000, "1000-message chain, depth 999");
	if (one.nthreads == 1)
		free(rows);
	thread_forest_release(&one);
	buf_release(&chain);

	/* nesting beyond the bound is refused, not a stack overflow */
	struct buf deep = BUF_INIT;
	struct thread_forest forest;
	buf_addstr(&deep, "(1 ");
	for (int i = 0; i < 100000; i++)
		buf_addstr(&deep, "(2 ");
	thread_forest_init(&forest);
	tap_ok(thread_from_imap(&forest, str_from_buf(&deep)) == -1, "100000-deep THREAD answer refused");
	thread_forest_release(&forest);
	buf_release(&deep);
}

static void test_flatten_participants(void)
{
	struct thread_forest forest;
	struct thread_row *rows;
	struct buf got = BUF_INIT;
	size_t count;
	struct set set;

	thread_forest_init(&forest);
	(void)thread_from_imap(&forest, str_from("(3 6 (4 23)(44 7 96))((8)(9))"));
	count = thread_flatten(&forest, &forest.threads[0], &rows);
	for (size_t i = 0; i < count; i++)
		buf_addf(&got, "%u:%u ", (unsigned)rows[i].uid, rows[i].depth);
	tap_is_str(buf_cstr(&got), "3:0 6:1 4:2 23:3 44:2 7:3 96:4 ", "flatten: display order and depth");
	free(rows);
	buf_reset(&got);
	count = thread_flatten(&forest, &forest.threads[1], &rows);
	for (size_t i = 0; i < count; i++)
		buf_addf(&got, "%u:%u ", (unsigned)rows[i].uid, rows[i].depth);
	tap_is_str(buf_cstr(&got), "0:0 8:1 9:1 ", "flatten: a placeholder root is row 0");
	free(rows);

	set_parse(&set, "3|-|-|-|s|30|Alice\n4|-|-|-|s|40|Bob\n6|-|-|-|s|60|alice\n"
	                "7|-|-|-|s|70|-\n8|-|-|-|s|80|Carol\n9|-|-|-|s|5|Dave\n"
	                "23|-|-|-|s|23|Eve\n44|-|-|-|s|44|Bob\n96|-|-|-|s|96|<a&b@x>");

	/* dates from a date order, as the server path gets them: 9 is the
	 * newest, so its thread leads; 4 is older than 23 */
	static const uint32_t newest_first[] = { 9, 96, 7, 44, 23, 4, 6, 3 };
	thread_index_uids(&forest);
	thread_date_by_rank(&forest, newest_first, 8);
	thread_sort_newest(&forest);
	buf_reset(&got);
	thread_format(&forest, &got);
	tap_is_str(buf_cstr(&got), "((8)(9))(3 6 (4 23)(44 7 96))",
	           "dates by rank: the thread of the newest message leads");
	tap_ok(forest.threads[0].newest_uid == 9 && forest.threads[1].newest_uid == 96,
	       "rank counted from the oldest; 8, not in the order, is older than 9");
	count = thread_flatten(&forest, &forest.threads[1], &rows);
	buf_reset(&got);
	for (size_t i = 0; i < count; i++)
		buf_addf(&got, "%u:%u ", (unsigned)rows[i].uid, rows[i].depth);
	tap_is_str(buf_cstr(&got), "3:0 6:1 4:2 23:3 44:2 7:3 96:4 ", "the rows move with their thread");
	free(rows);
	tap_ok(thread_find(&forest, 96) == &forest.threads[1] && thread_find(&forest, 8) == &forest.threads[0],
	       "the index by uid follows the new order");

	/* newest activity first, after dates are attached */
	thread_attach(&forest, set.msgs, set.count);
	thread_sort_newest(&forest);
	buf_reset(&got);
	thread_format(&forest, &got);
	tap_is_str(buf_cstr(&got), "(3 6 (4 23)(44 7 96))((8)(9))", "newest first: thread with 96 before 80");
	tap_ok(forest.threads[1].newest_uid == 8, "newest of placeholder thread");
	tap_ok(thread_find(&forest, 23) == &forest.threads[0] && thread_find(&forest, 9) == &forest.threads[1] &&
	       !thread_find(&forest, 5) && !thread_find(&forest, 0), "thread_find");
	thread_index_uids(&forest);
	tap_ok(forest.nby_uid == 9 &&
	       thread_find(&forest, 23) == &forest.threads[0] && thread_find(&forest, 96) == &forest.threads[0] &&
	       thread_find(&forest, 3) == &forest.threads[0] && thread_find(&forest, 9) == &forest.threads[1] &&
	       thread_find(&forest, 8) == &forest.threads[1] &&
	       !thread_find(&forest, 5) && !thread_find(&forest, 0) && !thread_find(&forest, 100),
	       "thread_find by the uid index: the same threads");
	set_free(&set);
	thread_forest_release(&forest);

	/* thread_build keeps RFC order; sort_newest reverses by activity */
	set_parse(&set, "1|<a@x>|-|-|s1|10\n2|<b@x>|-|-|s2|20\n3|<c@x>|<a@x>|-|s3|30");
	thread_forest_init(&forest);
	(void)thread_build(&forest, set.msgs, set.count);
	thread_sort_newest(&forest);
	buf_reset(&got);
	thread_format(&forest, &got);
	tap_is_str(buf_cstr(&got), "(1 3)(2)", "newest activity first: an old thread with a new reply leads");
	set_free(&set);
	thread_forest_release(&forest);
	buf_release(&got);
}

static const struct {
	const char *subject, *base;
	bool reply;
} subject_rows[] = {
	{ "Hello", "HELLO", false },
	{ "Re: hello", "HELLO", true },
	{ "RE:Re: re:  hello  ", "HELLO", true },
	{ "Fwd: hello", "HELLO", true },
	{ "Fw: hello", "HELLO", true },
	{ "fwd hello", "FWD HELLO", false },
	{ "hello (fwd)", "HELLO", true },
	{ "hello (fwd) (FWD)  ", "HELLO", true },
	{ "[list] hello", "HELLO", false },
	{ "[list] Re: [list] hello", "HELLO", true },
	{ "Re [2]: hello", "HELLO", true },
	{ "[fwd: Re: hello]", "HELLO", true },
	{ "[Fwd: [fwd: x]]", "X", true },
	{ "[blob]", "[BLOB]", false },
	{ "[a][b]", "[B]", false },
	{ "Re: [blob]", "[BLOB]", true },
	{ "a\tb\r\n c", "A B C", false },
	{ "   ", "", false },
	{ "", "", false },
	{ "Re:", "", true },
	{ "[unclosed hello", "[UNCLOSED HELLO", false },
	{ "Grüße re: x", "GRüßE RE: X", false },
	{ "Re: <\"'&>", "<\"'&>", true },
	{ "host\xef\xbc\x9f", "HOST?", false },
	{ "\xef\xbc\xb2\xef\xbd\x85\xef\xbc\x9a\xe3\x80\x80x", "X", true },
};

static void test_base_subject(void)
{
	struct buf base = BUF_INIT;

	for (size_t i = 0; i < sizeof(subject_rows) / sizeof(subject_rows[0]); i++) {
		bool reply = !subject_rows[i].reply;
		char name[128];
		thread_base_subject(str_from(subject_rows[i].subject), &base, &reply);
		tap_ok(strcmp(buf_cstr(&base), subject_rows[i].base) == 0 && reply == subject_rows[i].reply,
		       "base subject of '%s' is '%s' (%s)", shown(subject_rows[i].subject, name, sizeof(name)),
		       buf_cstr(&base),
		       reply ? "reply" : "original");
	}
	buf_release(&base);
}

static const struct {
	const char *header;
	size_t len;
	const char *first, *second;
} msgid_rows[] = {
	{ "<a@b>", 0, "a@b", NULL },
	{ "  <a @ b> ", 0, "a@b", NULL },
	{ "<a\r\n b@c>", 0, "ab@c", NULL },
	{ "<ab>", 0, NULL, NULL },
	{ "<ab> <c@d>", 0, "c@d", NULL },
	{ "garbage <x@y> more <z@w>", 0, "x@y", "z@w" },
	{ "<\"q s\"@h>", 0, "q s@h", NULL },
	{ "<a(comment)@b>", 0, "a@b", NULL },
	{ "<a@b", 0, NULL, NULL },
	{ "", 0, NULL, NULL },
	{ "<>", 0, NULL, NULL },
	{ "<x\0@y> <p@q>", 12, NULL, NULL },
	{ "<\"unterminated@x>", 0, NULL, NULL },
	{ "<[a]@b>", 0, "[a]@b", NULL },
	{ "<Grüße@b>", 0, "Grüße@b", NULL },
};

static void test_msgid(void)
{
	struct buf id = BUF_INIT;

	for (size_t i = 0; i < sizeof(msgid_rows) / sizeof(msgid_rows[0]); i++) {
		struct str rest = { msgid_rows[i].header,
		                    msgid_rows[i].len ? msgid_rows[i].len : strlen(msgid_rows[i].header) };
		bool found = thread_next_msgid(&rest, &id);
		const char *want = msgid_rows[i].first;
		char name[128];
		tap_ok(want ? found && strcmp(buf_cstr(&id), want) == 0 : !found,
		       "msg-id in '%s': %s", shown(msgid_rows[i].header, name, sizeof(name)),
		       found ? buf_cstr(&id) : "(none)");
		if (want) {
			found = thread_next_msgid(&rest, &id);
			want = msgid_rows[i].second;
			tap_ok(want ? found && strcmp(buf_cstr(&id), want) == 0 : !found && rest.len == 0,
			       "second msg-id in '%s'", name);
		}
	}
	buf_release(&id);
}

int main(void)
{
	test_build();
	test_long_references();
	test_deep_chain();
	test_from_imap();
	test_flatten_participants();
	test_base_subject();
	test_msgid();
	return tap_done();
}
