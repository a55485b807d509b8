/*
 * The pager of a paged list (the message index, the thread index,
 * search): "prev" and "next" in JSON and HTML, and for HTML the first and
 * last pages and the numbers near the current one ("1 ... 4 5 [6] 7 8 ...
 * 167").  A page's URL comes from the list's own function.
 */
#ifndef IMAPEEK_PAGER_H
#define IMAPEEK_PAGER_H

#include "page.h"

typedef void page_list_url(struct page *page, struct buf *out,
                           unsigned number, const void *ctx);

struct page_pager {
	unsigned number, pages;   /* from 1 */
	page_list_url *url;
	const void *ctx;
};

/* "prev" and "next": URLs or null. */
void page_pager_json(struct page *page, struct json *json,
                     const struct page_pager *pager);
/*
 * prev, next, first, last (URLs, absent on the first or last page) and
 * "pager_pages": {number, url, current (bool), gap (bool: an ellipsis)}.
 */
void page_pager_vars(struct page *page, struct tmpl_vars *vars,
                     const struct page_pager *pager);

#endif
