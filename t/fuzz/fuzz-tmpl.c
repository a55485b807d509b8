/* Compile any bytes as a template and render it over hostile values; the
 * output must be valid UTF-8 (escaping never lets a bad byte through). */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "html_trusted.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_set *set = tmpl_set_new();
	struct tmpl_vars *vars = tmpl_vars_new(), *item;
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tmpl_out to = { &out, 7, NULL, NULL };

	tmpl_set_strict(set, size % 2 == 0);
	tmpl_vars_set_str(vars, "a", "<\"'&>");
	tmpl_vars_set_strn(vars, "b", "x\0\xff", 3);
	tmpl_vars_set_int(vars, "n", -1);
	tmpl_vars_set_trusted_html(vars, "h", "<b>", 3);
	item = tmpl_vars_add_item(vars, "l");
	tmpl_vars_set_str(item, "a", "inner");
	tmpl_vars_add_item(item, "l");
	tmpl_load(set, "p.html", "[{{?a}}{{a}}{{/a}}]", 19, &err);
	if (tmpl_load(set, "f.html", (const char *)data, size, &err) == 0 &&
	    tmpl_check(set, &err) == 0 &&
	    tmpl_render(set, NULL, "f.html", vars, &to, &err) == 0) {
		/* Literal template text passes through; only check when the
		 * template itself was valid UTF-8. */
		if (utf8_valid((const char *)data, size) &&
		    !utf8_valid(buf_cstr(&out), out.len))
			abort();
	}
	buf_release(&out);
	buf_release(&err);
	tmpl_vars_free(vars);
	tmpl_set_free(set);
	return 0;
}
