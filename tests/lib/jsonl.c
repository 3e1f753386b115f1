// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Strict JSON Lines reader: see jsonl.h. RFC 8259 grammar for the subset.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

#define MAX_DEPTH 8

struct parser {
	const char *s;
	const char *p;
	struct json_obj *o;
	char *err;
	size_t errlen;
	int cap;
};

static int perr(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parser *ps, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "column %ld: %s", (long)(ps->p - ps->s) + 1, buf);
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' || *ps->p == '\n')
		ps->p++;
}

static struct json_field *add_field(struct parser *ps, const char *prefix, const char *key)
{
	struct json_obj *o = ps->o;
	struct json_field *f;
	size_t len;
	int i;

	len = strlen(prefix) + strlen(key) + 2;
	if (o->nr == ps->cap) {
		int cap = ps->cap ? ps->cap * 2 : 16;
		struct json_field *nf = realloc(o->f, cap * sizeof(*nf));

		if (!nf)
			return NULL;
		o->f = nf;
		ps->cap = cap;
	}
	f = &o->f[o->nr];
	memset(f, 0, sizeof(*f));
	f->key = malloc(len);
	if (!f->key)
		return NULL;
	snprintf(f->key, len, "%s%s%s", prefix, *prefix ? "." : "", key);
	for (i = 0; i < o->nr; i++)
		if (!strcmp(o->f[i].key, f->key)) {
			perr(ps, "duplicate key \"%s\"", f->key);
			free(f->key);
			return NULL;
		}
	o->nr++;
	return f;
}

static int hex4(const char *p, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static size_t put_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | (cp >> 6);
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | (cp >> 12);
		out[1] = 0x80 | ((cp >> 6) & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | (cp >> 18);
	out[1] = 0x80 | ((cp >> 12) & 0x3f);
	out[2] = 0x80 | ((cp >> 6) & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* Length of a valid UTF-8 sequence at p, 0 if invalid. */
static int utf8_len(const unsigned char *p)
{
	unsigned int cp;
	int n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Parses a string at ps->p ('"'); *out malloc'd, decoded. */
static int parse_string(struct parser *ps, char **out, size_t *outlen)
{
	const char *p = ps->p + 1;
	size_t cap = strlen(p) + 1, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return perr(ps, "out of memory");
	for (;;) {
		unsigned char c = *p;

		if (c == '"')
			break;
		if (c == 0) {
			free(buf);
			ps->p = p;
			return perr(ps, "unterminated string");
		}
		if (c < 0x20) {
			free(buf);
			ps->p = p;
			return perr(ps, "raw control character 0x%02x in a string", c);
		}
		if (c == '\\') {
			unsigned int cp, lo;

			p++;
			switch (*p) {
			case '"':
				buf[n++] = '"';
				p++;
				continue;
			case '\\':
				buf[n++] = '\\';
				p++;
				continue;
			case '/':
				buf[n++] = '/';
				p++;
				continue;
			case 'b':
				buf[n++] = '\b';
				p++;
				continue;
			case 'f':
				buf[n++] = '\f';
				p++;
				continue;
			case 'n':
				buf[n++] = '\n';
				p++;
				continue;
			case 'r':
				buf[n++] = '\r';
				p++;
				continue;
			case 't':
				buf[n++] = '\t';
				p++;
				continue;
			case 'u':
				break;
			default:
				free(buf);
				ps->p = p;
				return perr(ps, "invalid escape \\%c", *p ? *p : '0');
			}
			if (hex4(p + 1, &cp)) {
				free(buf);
				ps->p = p;
				return perr(ps, "invalid \\u escape");
			}
			p += 5;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff) {
					free(buf);
					ps->p = p;
					return perr(ps, "unpaired high surrogate");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				free(buf);
				ps->p = p;
				return perr(ps, "unpaired low surrogate");
			}
			n += put_utf8(buf + n, cp);
			continue;
		}
		{
			int l = utf8_len((const unsigned char *)p);

			if (!l) {
				free(buf);
				ps->p = p;
				return perr(ps, "invalid UTF-8");
			}
			memcpy(buf + n, p, l);
			n += l;
			p += l;
		}
	}
	buf[n] = 0;
	ps->p = p + 1;
	*out = buf;
	if (outlen)
		*outlen = n;
	return 0;
}

static int parse_object(struct parser *ps, const char *prefix, int depth);
static int parse_value(struct parser *ps, const char *prefix, const char *key, int depth);

/* "key":[v0,v1] gives "key" (JSON_ARRAY, num = 2), "key.0" and "key.1". */
static int parse_array(struct parser *ps, const char *prefix, const char *key, int depth)
{
	struct json_field *f = add_field(ps, prefix, key);
	char sub[512], index[16];
	int nr = 0, at;

	if (!f)
		return -1;
	if (depth + 1 > MAX_DEPTH)
		return perr(ps, "nested too deep");
	f->type = JSON_ARRAY;
	at = ps->o->nr - 1; /* f moves when fields are added */
	snprintf(sub, sizeof(sub), "%s", f->key);
	ps->p++;
	skip_ws(ps);
	if (*ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		skip_ws(ps);
		snprintf(index, sizeof(index), "%d", nr);
		if (parse_value(ps, sub, index, depth + 1))
			return -1;
		ps->o->f[at].num = ++nr;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == ']') {
			ps->p++;
			return 0;
		}
		return perr(ps, "expected ',' or ']'");
	}
}

static int parse_value(struct parser *ps, const char *prefix, const char *key, int depth)
{
	struct json_field *f;
	char c = *ps->p;

	if (c == '{') {
		char sub[512];

		f = add_field(ps, prefix, key);
		if (!f)
			return -1;
		f->type = JSON_OBJECT;
		snprintf(sub, sizeof(sub), "%s", f->key);
		return parse_object(ps, sub, depth + 1);
	}
	if (c == '[')
		return parse_array(ps, prefix, key, depth);
	f = add_field(ps, prefix, key);
	if (!f)
		return -1;
	if (c == '"') {
		f->type = JSON_STRING;
		return parse_string(ps, &f->str, &f->len);
	}
	if (!strncmp(ps->p, "true", 4)) {
		f->type = JSON_BOOL;
		f->num = 1;
		ps->p += 4;
		return 0;
	}
	if (!strncmp(ps->p, "false", 5)) {
		f->type = JSON_BOOL;
		ps->p += 5;
		return 0;
	}
	if (!strncmp(ps->p, "null", 4)) {
		f->type = JSON_NULL;
		ps->p += 4;
		return 0;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		const char *p = ps->p;
		unsigned long long v = 0;

		f->type = JSON_INT;
		if (*p == '-') {
			f->neg = true;
			p++;
		}
		if (*p < '0' || *p > '9') {
			ps->p = p;
			return perr(ps, "invalid number");
		}
		if (*p == '0' && p[1] >= '0' && p[1] <= '9') {
			ps->p = p;
			return perr(ps, "leading zero in a number");
		}
		while (*p >= '0' && *p <= '9') {
			if (v > (~0ULL - (*p - '0')) / 10) {
				ps->p = p;
				return perr(ps, "integer out of range");
			}
			v = v * 10 + (*p - '0');
			p++;
		}
		if (*p == '.' || *p == 'e' || *p == 'E') {
			ps->p = p;
			return perr(ps, "non-integer numbers are not used in reapertrace records");
		}
		if (f->neg && v == 0)
			f->neg = false;
		f->num = v;
		ps->p = p;
		return 0;
	}
	return perr(ps, "unexpected '%c'", c ? c : '0');
}

static int parse_object(struct parser *ps, const char *prefix, int depth)
{
	bool first = true;

	if (depth > MAX_DEPTH)
		return perr(ps, "nested too deep");
	if (*ps->p != '{')
		return perr(ps, "expected '{'");
	ps->p++;
	skip_ws(ps);
	if (*ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		char *key;

		skip_ws(ps);
		if (*ps->p != '"')
			return perr(ps, first ? "expected a key" : "expected a key after ','");
		if (parse_string(ps, &key, NULL))
			return -1;
		if (strchr(key, '.')) {
			free(key);
			return perr(ps, "a key with '.' cannot be flattened");
		}
		skip_ws(ps);
		if (*ps->p != ':') {
			free(key);
			return perr(ps, "expected ':'");
		}
		ps->p++;
		skip_ws(ps);
		if (parse_value(ps, prefix, key, depth)) {
			free(key);
			return -1;
		}
		free(key);
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			first = false;
			continue;
		}
		if (*ps->p == '}') {
			ps->p++;
			return 0;
		}
		return perr(ps, "expected ',' or '}'");
	}
}

int json_parse(const char *line, struct json_obj *o, char *err, size_t errlen)
{
	struct parser ps = { .s = line, .p = line, .o = o, .err = err, .errlen = errlen };

	memset(o, 0, sizeof(*o));
	skip_ws(&ps);
	if (parse_object(&ps, "", 0))
		goto fail;
	skip_ws(&ps);
	if (*ps.p) {
		perr(&ps, "trailing bytes after the object");
		goto fail;
	}
	o->line = strdup(line);
	if (!o->line)
		goto fail;
	return 0;
fail:
	json_free(o);
	return -1;
}

void json_free(struct json_obj *o)
{
	int i;

	for (i = 0; i < o->nr; i++) {
		free(o->f[i].key);
		free(o->f[i].str);
	}
	free(o->f);
	free(o->line);
	memset(o, 0, sizeof(*o));
}

const struct json_field *json_get(const struct json_obj *o, const char *key)
{
	int i;

	for (i = 0; i < o->nr; i++)
		if (!strcmp(o->f[i].key, key))
			return &o->f[i];
	return NULL;
}

bool json_int(const struct json_obj *o, const char *key, long long *v)
{
	const struct json_field *f = json_get(o, key);

	if (!f || f->type != JSON_INT)
		return false;
	if (f->num > (f->neg ? (unsigned long long)__LONG_LONG_MAX__ + 1 :
			       (unsigned long long)__LONG_LONG_MAX__))
		return false;
	*v = f->neg ? -(long long)(f->num - 1) - 1 : (long long)f->num;
	return true;
}

bool json_u64(const struct json_obj *o, const char *key, unsigned long long *v)
{
	const struct json_field *f = json_get(o, key);

	if (!f || f->type != JSON_INT || f->neg)
		return false;
	*v = f->num;
	return true;
}

bool json_bool(const struct json_obj *o, const char *key, bool *v)
{
	const struct json_field *f = json_get(o, key);

	if (!f || f->type != JSON_BOOL)
		return false;
	*v = f->num;
	return true;
}

const char *json_str(const struct json_obj *o, const char *key)
{
	const struct json_field *f = json_get(o, key);

	return f && f->type == JSON_STRING ? f->str : NULL;
}

bool json_is_null(const struct json_obj *o, const char *key)
{
	const struct json_field *f = json_get(o, key);

	return f && f->type == JSON_NULL;
}

const char *json_event(const struct json_obj *o)
{
	const char *s = json_str(o, "event");

	return s ? s : "";
}

int jsonl_load(const char *path, struct jsonl_doc *d,
	       bool (*keep)(const struct json_obj *o, void *arg), void *arg)
{
	size_t cap = 0, n = 0;
	char *line = NULL;
	int lineno = 0, objcap = 0;
	ssize_t len;
	FILE *f;

	memset(d, 0, sizeof(*d));
	f = fopen(path, "re");
	if (!f)
		return -1;
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct json_obj o;
		char err[256];

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = 0;
		if ((size_t)len != strlen(line)) {
			snprintf(err, sizeof(err), "NUL byte in the line");
			goto bad;
		}
		if (json_parse(line, &o, err, sizeof(err)))
			goto bad;
		o.lineno = lineno;
		if (keep && !keep(&o, arg)) {
			json_free(&o);
			continue;
		}
		if (d->nr == objcap) {
			struct json_obj *no;

			objcap = objcap ? objcap * 2 : 256;
			no = realloc(d->objs, objcap * sizeof(*no));
			if (!no) {
				json_free(&o);
				break;
			}
			d->objs = no;
		}
		d->objs[d->nr++] = o;
		continue;
bad:
		if (!d->nr_bad++)
			snprintf(d->first_bad, sizeof(d->first_bad), "line %d: %.200s: %.300s",
				 lineno, err, line);
	}
	(void)n;
	free(line);
	fclose(f);
	return 0;
}

void jsonl_free(struct jsonl_doc *d)
{
	int i;

	for (i = 0; i < d->nr; i++)
		json_free(&d->objs[i]);
	free(d->objs);
	memset(d, 0, sizeof(*d));
}

const struct json_obj *jsonl_find(const struct jsonl_doc *d, const char *event, long long pid,
				  int nth)
{
	long long v;
	int i;

	for (i = 0; i < d->nr; i++)
		if (!strcmp(json_event(&d->objs[i]), event) && json_int(&d->objs[i], "pid", &v) &&
		    v == pid && !nth--)
			return &d->objs[i];
	return NULL;
}
