/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small, strict JSON Lines reader for reapertrace's records: one object
 * per line; values are strings, integers, true/false, null or nested
 * objects or arrays. Nested keys are flattened: {"old_parent":{"pid":1}}
 * gives "old_parent" (type JSON_OBJECT) and "old_parent.pid" (JSON_INT);
 * {"origin":[{"pid":1}]} gives "origin" (JSON_ARRAY, num = its length) and
 * "origin.0.pid".
 * Anything that is not valid JSON is rejected (bad escapes, raw control
 * characters, invalid UTF-8, leading zeros, trailing commas, duplicate
 * keys, trailing bytes). Valid JSON outside that subset (numbers with a
 * fraction or an exponent, an array at the top) is rejected as unsupported.
 */
#ifndef RT_TESTS_JSONL_H
#define RT_TESTS_JSONL_H

#include <stdbool.h>
#include <stddef.h>

enum json_type {
	JSON_NULL = 1,
	JSON_BOOL,
	JSON_INT,
	JSON_STRING,
	JSON_OBJECT,
	JSON_ARRAY,
};

struct json_field {
	char *key; /* flattened, "a.b" */
	enum json_type type;
	bool neg;		/* JSON_INT: value is -num */
	unsigned long long num; /* JSON_INT magnitude; JSON_BOOL 0/1; JSON_ARRAY length */
	char *str;		/* JSON_STRING, decoded UTF-8 (NUL-terminated) */
	size_t len;		/* string length in bytes (may hold \u0000) */
};

struct json_obj {
	int nr;
	struct json_field *f;
	char *line; /* the raw line, for diagnostics */
	int lineno;
};

/* Parses one line; 0, or -1 with a message in err. */
int json_parse(const char *line, struct json_obj *o, char *err, size_t errlen);
void json_free(struct json_obj *o);

const struct json_field *json_get(const struct json_obj *o, const char *key);
/* false if missing or of another type */
bool json_int(const struct json_obj *o, const char *key, long long *v);
bool json_u64(const struct json_obj *o, const char *key, unsigned long long *v);
bool json_bool(const struct json_obj *o, const char *key, bool *v);
const char *json_str(const struct json_obj *o, const char *key);
bool json_is_null(const struct json_obj *o, const char *key);
/* "event" value or "" */
const char *json_event(const struct json_obj *o);

struct jsonl_doc;
/* The @nth (from 0) record of @event whose "pid" is @pid, or NULL. */
const struct json_obj *jsonl_find(const struct jsonl_doc *d, const char *event, long long pid,
				  int nth);

struct jsonl_doc {
	int nr;
	struct json_obj *objs;
	int nr_bad;	     /* lines that failed to parse */
	char first_bad[640]; /* "line N: why: text" */
};

/*
 * Reads a whole file. keep(o, arg) may drop records (return false) to save
 * memory; NULL keeps all. Returns 0, or -1 if the file cannot be read.
 * Invalid lines are counted in nr_bad.
 */
int jsonl_load(const char *path, struct jsonl_doc *d,
	       bool (*keep)(const struct json_obj *o, void *arg), void *arg);
void jsonl_free(struct jsonl_doc *d);

#endif /* RT_TESTS_JSONL_H */
