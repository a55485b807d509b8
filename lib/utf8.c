#include "utf8.h"

size_t utf8_sequence_length(const unsigned char *p, size_t avail,
                            uint32_t *codepoint)
{
	uint32_t cp, min;
	size_t len;

	if (!avail)
		return 0;
	if (p[0] < 0x80) {
		len = 1, cp = p[0], min = 0;
	} else if ((p[0] & 0xe0) == 0xc0) {
		len = 2, cp = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3, cp = p[0] & 0x0f, min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4, cp = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > avail)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (codepoint)
		*codepoint = cp;
	return len;
}

bool utf8_valid(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_sequence_length(u + i, len - i, NULL);
		if (!n)
			return false;
		i += n;
	}
	return true;
}
