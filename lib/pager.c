#include "pager.h"

/* Page numbers shown on each side of the current one. */
#define PAGER_NEAR 2

static void json_page_url(struct page *page, struct json *json,
                          const struct page_pager *pager, const char *key,
                          unsigned number, bool exists)
{
	struct buf url = BUF_INIT;

	json_key(json, key);
	if (exists) {
		pager->url(page, &url, number, pager->ctx);
		json_string(json, buf_cstr(&url));
	} else {
		json_null(json);
	}
	buf_release(&url);
}

void page_pager_json(struct page *page, struct json *json,
                     const struct page_pager *pager)
{
	json_page_url(page, json, pager, "next", pager->number + 1,
	              pager->number < pager->pages);
	json_page_url(page, json, pager, "prev", pager->number - 1,
	              pager->number > 1);
}

static void set_url(struct page *page, struct tmpl_vars *vars, const char *name,
                    const struct page_pager *pager, unsigned number)
{
	struct buf url = BUF_INIT;

	pager->url(page, &url, number, pager->ctx);
	tmpl_vars_set_str(vars, name, buf_cstr(&url));
	buf_release(&url);
}

void page_pager_vars(struct page *page, struct tmpl_vars *vars,
                     const struct page_pager *pager)
{
	unsigned number = pager->number, pages = pager->pages;
	unsigned from = number > PAGER_NEAR ? number - PAGER_NEAR : 1;
	unsigned to = number + PAGER_NEAR < pages ? number + PAGER_NEAR : pages;

	if (number > 1) {
		set_url(page, vars, "prev", pager, number - 1);
		set_url(page, vars, "first", pager, 1);
	}
	if (number < pages) {
		set_url(page, vars, "next", pager, number + 1);
		set_url(page, vars, "last", pager, pages);
	}
	tmpl_vars_set_list(vars, "pager_pages");
	if (pages < 2)
		return;
	for (unsigned n = 1; n <= pages; n++) {
		/* 1, the numbers near this page, and the last; one gap between. */
		if (n != 1 && n != pages && (n < from || n > to)) {
			struct tmpl_vars *gap = tmpl_vars_add_item(vars, "pager_pages");
			tmpl_vars_set_bool(gap, "gap", true);
			n = n < from ? from - 1 : pages - 1;
			continue;
		}
		struct tmpl_vars *item = tmpl_vars_add_item(vars, "pager_pages");
		tmpl_vars_set_uint(item, "number", n);
		tmpl_vars_set_bool(item, "current", n == number);
		if (n != number)
			set_url(page, item, "url", pager, n);
	}
}
