/* UTF-8, decoded strictly: one place for every module that checks text. */
#include "utf8.h"

size_t utf8_next(const char *s, size_t len, int32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;
	int32_t value;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		need = 1;
		value = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		need = 2;
		value = u[0] & 0x0f;
		/* No overlong forms, no UTF-16 surrogates. */
		if (u[0] == 0xe0)
			lo = 0xa0;
		else if (u[0] == 0xed)
			hi = 0x9f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		need = 3;
		value = u[0] & 0x07;
		/* No overlong forms, nothing above U+10FFFF. */
		if (u[0] == 0xf0)
			lo = 0x90;
		else if (u[0] == 0xf4)
			hi = 0x8f;
	} else {
		*cp = -1;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= len || u[i] < lo || u[i] > hi) {
			*cp = -1;
			return i;
		}
		value = (value << 6) | (u[i] & 0x3f);
		lo = 0x80, hi = 0xbf;
	}
	*cp = value;
	return need + 1;
}

bool utf8_valid(const char *s, size_t len)
{
	size_t i = 0;
	int32_t cp;

	while (i < len) {
		i += utf8_next(s + i, len - i, &cp);
		if (cp < 0)
			return false;
	}
	return true;
}
