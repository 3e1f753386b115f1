// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Each command's man page against its --help: every long option the
 * command lists is described in man/reapertrace[-CMD].8. Runs the built
 * binary (RT_BIN, or build/reapertrace), which prints help without root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAX_PAGE (256 * 1024)

/* The page's text, NUL-terminated, in @buf. 0 or -errno. */
static int read_page(const char *name, char *buf, size_t size)
{
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/man/%s.8", repo_root(), name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n == size - 1 ? -EFBIG : 0;
}

/* "--zombie-age" as groff source spells it: "\-\-zombie\-age". */
static void groff_spelling(const char *opt, char *out, size_t size)
{
	size_t n = 0;

	for (; *opt && n + 3 < size; opt++) {
		if (*opt == '-')
			out[n++] = '\\';
		out[n++] = *opt;
	}
	out[n] = '\0';
}

/*
 * The long options on the option lines of `reapertrace CMD --help` (indented
 * by 2 to 6 spaces, starting with a dash), each looked up in @page. How many
 * are missing, or -1 when the help could not be run; *@seen counts them.
 */
static int check_command(const char *cmd, const char *page, int *seen)
{
	const char *bin = getenv("RT_BIN");
	char line[512], shell[600], opt[64], spelled[160], *p;
	int missing = 0;
	FILE *f;

	snprintf(shell, sizeof(shell), "'%s%s' %s --help", bin ? bin : repo_root(),
		 bin ? "" : "/build/reapertrace", cmd);
	f = popen(shell, "r");
	if (!f)
		return -1;
	*seen = 0;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (p - line < 2 || p - line > 6 || *p != '-')
			continue;
		p = strstr(p, "--");
		if (!p || sscanf(p, "--%60[a-z-]", opt + 2) != 1)
			continue;
		opt[0] = opt[1] = '-';
		groff_spelling(opt, spelled, sizeof(spelled));
		(*seen)++;
		if (!strstr(page, spelled)) {
			diag("%s: %s is not in its man page", cmd[0] ? cmd : "trace", opt);
			missing++;
		}
	}
	return pclose(f) == 0 ? missing : -1;
}

static void check_page(const char *cmd, const char *name, int min_options)
{
	char *page = malloc(MAX_PAGE);
	int seen = 0;

	if (!ASSERT_TRUE(page, "page buffer"))
		return;
	if (ASSERT_OK(read_page(name, page, MAX_PAGE), name)) {
		ASSERT_EQ(check_command(cmd, page, &seen), 0, "options missing from the page");
		ASSERT_GE(seen, min_options, "long options listed by --help");
	}
	free(page);
}

TEST(manpage_trace_has_every_option)
{
	check_page("", "reapertrace", 12);
}

TEST(manpage_top_has_every_option)
{
	check_page("top", "reapertrace-top", 10);
}

TEST(manpage_ns_has_every_option)
{
	check_page("ns", "reapertrace-ns", 4);
}

TEST(manpage_zombies_has_every_option)
{
	check_page("zombies", "reapertrace-zombies", 7);
}
