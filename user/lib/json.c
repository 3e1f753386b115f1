// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON strings: see json.h. */
#include <string.h>

#include "lib/json.h"

/* The longest a byte's escape is: \u00XX. */
#define ESCAPE_MAX 6

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3/4-byte forms, surrogates, and beyond U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

/* Appends the escaped form of what starts at s[i]; returns how many bytes it took. */
static size_t put_escaped(struct pbuf *pb, const unsigned char *s, size_t i, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t len;

	if (s[i] == '"' || s[i] == '\\') {
		pb_ch(pb, '\\');
		pb_ch(pb, s[i]);
	} else if (s[i] >= 0x20 && s[i] < 0x7f) {
		pb_ch(pb, s[i]);
	} else if (s[i] >= 0x80 && (len = utf8_len(s + i, n - i))) {
		pb_mem(pb, s + i, len);
		return len;
	} else {
		pb_str(pb, "\\u00");
		pb_ch(pb, hex[s[i] >> 4]);
		pb_ch(pb, hex[s[i] & 0xf]);
	}
	return 1;
}

/* How many bytes from s[i] on, at most @n - @i, need no escape. */
static size_t plain_run(const unsigned char *s, size_t i, size_t n)
{
	size_t j = i;

	while (j < n && (unsigned char)(s[j] - 0x20) < 0x5f && s[j] != '"' && s[j] != '\\')
		j++;
	return j - i;
}

void json_pb_string(struct pbuf *pb, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strnlen(str, max), i = 0, run;

	pb_ch(pb, '"');
	while (i < n) {
		/* Most names are plain ASCII: copied in one run. */
		run = plain_run(s, i, n);
		pb_mem(pb, s + i, run);
		i += run;
		if (i < n)
			i += put_escaped(pb, s, i, n);
	}
	pb_ch(pb, '"');
}

void json_string(FILE *out, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strnlen(str, max), i = 0, run;
	struct pbuf pb;

	pb_reset(&pb);
	pb_ch(&pb, '"');
	while (i < n) {
		/* A whole UTF-8 sequence or escape always fits after a flush. */
		if (pb.len > PBUF_SIZE - ESCAPE_MAX)
			pb_write(&pb, out);
		run = plain_run(s, i, n);
		if (run > PBUF_SIZE - ESCAPE_MAX - pb.len)
			run = PBUF_SIZE - ESCAPE_MAX - pb.len;
		pb_mem(&pb, s + i, run);
		i += run;
		if (i < n && pb.len <= PBUF_SIZE - ESCAPE_MAX)
			i += put_escaped(&pb, s, i, n);
	}
	pb_ch(&pb, '"');
	pb_write(&pb, out);
}

/* ,"@key":"@s" (escaped), or ,"@key":null when @s is NULL or "". */
static void pb_key_string(struct pbuf *pb, const char *key, const char *s, size_t max)
{
	pb_str(pb, ",\"");
	pb_str(pb, key);
	pb_str(pb, "\":");
	if (s && s[0])
		json_pb_string(pb, s, max);
	else
		pb_str(pb, "null");
}

void json_pb_container(struct pbuf *pb, const struct container *ct)
{
	if (!ct) {
		pb_str(pb, ",\"container\":null");
		return;
	}
	pb_str(pb, ",\"container\":{\"id\":\"");
	pb_str(pb, ct->id);
	pb_ch(pb, '"');
	pb_key_string(pb, "runtime", ct->runtime, CONTAINER_NAME_LEN);
	pb_key_string(pb, "pod_uid", ct->pod_uid, sizeof(ct->pod_uid));
	pb_key_string(pb, "name", ct->name, sizeof(ct->name));
	pb_ch(pb, '}');
}

void json_container(FILE *out, const struct container *ct)
{
	struct pbuf pb;

	pb_reset(&pb);
	json_pb_container(&pb, ct);
	pb_write(&pb, out);
}
