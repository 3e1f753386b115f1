// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The JSON Lines reader the other tests trust: accepts and rejects. */
#include <string.h>

#include "harness.h"
#include "jsonl.h"

static bool parses(const char *s)
{
	struct json_obj o;
	char err[256];
	int r = json_parse(s, &o, err, sizeof(err));

	if (!r)
		json_free(&o);
	return r == 0;
}

TEST(jsonl_valid)
{
	const char *line = "{\"event\":\"reparent\",\"ts_ns\":18446744073709551615,"
			   "\"pid\":12,\"neg\":-5,\"comm\":\"a\\u00e9\\ud83d\\ude00\\n\\\"\","
			   "\"old_parent\":{\"pid\":3,\"tid\":4,\"comm\":\"x\"},"
			   "\"new_parent\":null,\"was_zombie\":true, \"z\" : false }";
	unsigned long long u;
	struct json_obj o;
	char err[256];
	long long v;
	bool b;

	if (!ASSERT_EQ(json_parse(line, &o, err, sizeof(err)), 0, err))
		return;
	ASSERT_STREQ(json_event(&o), "reparent", "event");
	ASSERT_TRUE(json_u64(&o, "ts_ns", &u) && u == 18446744073709551615ULL, "u64 max");
	ASSERT_TRUE(json_int(&o, "neg", &v) && v == -5, "negative");
	ASSERT_STREQ(json_str(&o, "comm"), "a\xc3\xa9\xf0\x9f\x98\x80\n\"", "\\u escapes");
	ASSERT_TRUE(json_int(&o, "old_parent.pid", &v) && v == 3, "flattened old_parent.pid");
	ASSERT_STREQ(json_str(&o, "old_parent.comm"), "x", "flattened old_parent.comm");
	ASSERT_EQ(json_get(&o, "old_parent")->type, JSON_OBJECT, "the object itself");
	ASSERT_TRUE(json_is_null(&o, "new_parent"), "null");
	ASSERT_TRUE(json_bool(&o, "was_zombie", &b) && b, "true");
	ASSERT_TRUE(json_bool(&o, "z", &b) && !b, "false");
	ASSERT_FALSE(json_int(&o, "comm", &v), "a string is not an int");
	json_free(&o);

	line = "{\"origin\":[{\"pid\":7,\"comm\":\"b\"},{\"pid\":6}],\"e\":[]}";
	if (!ASSERT_EQ(json_parse(line, &o, err, sizeof(err)), 0, err))
		return;
	ASSERT_EQ(json_get(&o, "origin")->type, JSON_ARRAY, "an array");
	ASSERT_EQ(json_get(&o, "origin")->num, 2, "its length");
	ASSERT_TRUE(json_int(&o, "origin.1.pid", &v) && v == 6, "flattened origin.1.pid");
	ASSERT_STREQ(json_str(&o, "origin.0.comm"), "b", "flattened origin.0.comm");
	ASSERT_EQ(json_get(&o, "e")->num, 0, "an empty array");
	json_free(&o);
	ASSERT_TRUE(parses("{}"), "empty object");
	ASSERT_TRUE(parses("{\"a\":[]}"), "empty array");
	ASSERT_TRUE(parses("{\"a\":\"\\/\\b\\f\\r\\t\"}"), "all simple escapes");
}

TEST(jsonl_rejects)
{
	static const char *const bad[] = {
		"",
		"{",
		"}",
		"[]",
		"{\"a\":1,}",
		"{\"a\":1 \"b\":2}",
		"{'a':1}",
		"{a:1}",
		"{\"a\":01}",
		"{\"a\":+1}",
		"{\"a\":-}",
		"{\"a\":1.5}",
		"{\"a\":1e3}",
		"{\"a\":\"x\ty\"}",
		"{\"a\":\"\\x\"}",
		"{\"a\":\"\\u12\"}",
		"{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00x\"}",
		"{\"a\":\"\xff\"}",
		"{\"a\":\"\xc3\"}",
		"{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":1}{\"b\":2}",
		"{\"a\":1} x",
		"{\"a\":1,\"a\":2}",
		"{\"a\":tru}",
		"{\"a\":nul}",
		"{\"a\":[1,]}",
		"{\"a\":[1 2]}",
		"{\"a\":[1}",
		"{\"a\":\"unterminated}",
		"{\"a\":18446744073709551616}",
		"{\"a\":{\"b\":1}",
		"{\"a\"}",
		"{\"a\" 1}",
		"{\"a\":}",
		NULL,
	};
	int i;

	for (i = 0; bad[i]; i++)
		if (!ASSERT_FALSE(parses(bad[i]), "invalid JSON is rejected"))
			diag("accepted: %s", bad[i]);
}
