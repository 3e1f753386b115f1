/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small TAP test harness in the shape of kselftest / test_progs.
 *
 *	TEST(orphan_is_adopted)
 *	{
 *		if (!ASSERT_EQ(ppid, harness, "ppid of the orphan"))
 *			goto out;
 *	out:
 *		cleanup();
 *	}
 *
 * Every test runs in its own forked process, which is a
 * PR_SET_CHILD_SUBREAPER: a test that lets a process escape gets it back,
 * and the harness fails the test if any process or zombie is left under it
 * when the test body returns.
 *
 * ASSERT_*() print the expected and the actual value as TAP diagnostics
 * ("# ..."), mark the running test failed and evaluate to false.
 */
#ifndef RT_TESTS_HARNESS_H
#define RT_TESTS_HARNESS_H

#include <stdbool.h>
#include <string.h>

typedef void (*test_fn)(void);

void harness_register(const char *name, test_fn fn, const char *file);

/* Test-time helpers */
void test_fail(void);
bool test_failed(void);
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool test_skipped(void);
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The repository root (the directory rt-tests was started from). */
const char *repo_root(void);

#define TEST(name)                                                     \
	static void test_##name(void);                                 \
	__attribute__((constructor)) static void register_##name(void) \
	{                                                              \
		harness_register(#name, test_##name, __FILE__);        \
	}                                                              \
	static void test_##name(void)

/* Skip the rest of the test (use test_skip() + goto to clean up first). */
#define SKIP(...)                       \
	do {                            \
		test_skip(__VA_ARGS__); \
		return;                 \
	} while (0)

bool assert_fail_ll(const char *file, int line, const char *what, const char *a_expr, long long a,
		    const char *op, const char *b_expr, long long b);
bool assert_fail_str(const char *file, int line, const char *what, const char *a_expr,
		     const char *a, const char *b_expr, const char *b);
bool assert_fail_true(const char *file, int line, const char *what, const char *expr,
		      bool expected);
bool assert_fail_errno(const char *file, int line, const char *what, const char *expr,
		       long long ret, long long want);

/*
 * ASSERT_EQ(actual, expected, what): integers (any width, signed or not,
 * compared as long long).
 */
#define ASSERT_CMP(a, op, b, what)                                                           \
	({                                                                                   \
		long long ___a = (long long)(a);                                             \
		long long ___b = (long long)(b);                                             \
		(___a op ___b) ?                                                             \
			true :                                                               \
			assert_fail_ll(__FILE__, __LINE__, (what), #a, ___a, #op, #b, ___b); \
	})

#define ASSERT_EQ(a, b, what)  ASSERT_CMP(a, ==, b, what)
#define ASSERT_NEQ(a, b, what) ASSERT_CMP(a, !=, b, what)
#define ASSERT_GT(a, b, what)  ASSERT_CMP(a, >, b, what)
#define ASSERT_GE(a, b, what)  ASSERT_CMP(a, >=, b, what)
#define ASSERT_LT(a, b, what)  ASSERT_CMP(a, <, b, what)
#define ASSERT_LE(a, b, what)  ASSERT_CMP(a, <=, b, what)

#define ASSERT_TRUE(c, what)                                                          \
	({                                                                            \
		bool ___c = !!(c);                                                    \
		___c ? true : assert_fail_true(__FILE__, __LINE__, (what), #c, true); \
	})

#define ASSERT_FALSE(c, what)                                                           \
	({                                                                              \
		bool ___c = !!(c);                                                      \
		!___c ? true : assert_fail_true(__FILE__, __LINE__, (what), #c, false); \
	})

/*
 * ASSERT_OK(ret, what): a 0/-errno return is 0. ASSERT_ERR(ret, -EINVAL,
 * what): it is that -errno. Both name the errors they saw.
 */
#define ASSERT_ERR(ret, err, what)                                                              \
	({                                                                                      \
		long long ___r = (long long)(ret);                                              \
		long long ___e = (long long)(err);                                              \
		___r == ___e ? true :                                                           \
			       assert_fail_errno(__FILE__, __LINE__, (what), #ret, ___r, ___e); \
	})
#define ASSERT_OK(ret, what) ASSERT_ERR(ret, 0, what)

/* NULL compares unequal to every string, and equal to NULL. */
#define ASSERT_STREQ(a, b, what)                                                         \
	({                                                                               \
		const char *___a = (a);                                                  \
		const char *___b = (b);                                                  \
		((___a && ___b && !strcmp(___a, ___b)) || (!___a && !___b)) ?            \
			true :                                                           \
			assert_fail_str(__FILE__, __LINE__, (what), #a, ___a, #b, ___b); \
	})

#endif /* RT_TESTS_HARNESS_H */
