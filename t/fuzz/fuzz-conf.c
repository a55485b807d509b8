/* Any bytes as a configuration file: accepted or refused with a message
 * that starts with the file name, never a crash or a leak. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf conf;
	struct buf err = BUF_INIT;

	if (conf_parse(&conf, "f.conf", (const char *)data, size, &err) == 0) {
		if (!conf.imapd_argv || !conf.imapd_argv[0] || conf.imapd_argv[0][0] != '/')
			abort();
		conf_mailbox_visible(&conf, "lists/dev");
	} else if (strncmp(buf_cstr(&err), "f.conf", 6) != 0) {
		abort();
	}
	conf_release(&conf);
	buf_release(&err);
	return 0;
}
