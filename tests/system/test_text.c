// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The default text output: the header row, and one line per event with
 * the columns of docs/FORMAT.md, for scenarios whose truth we know.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tracer.h"

static const char *const text_opts[] = { NULL };

#define NCOLS 12

struct row {
	int n;
	char *col[NCOLS]; /* TIME EVENT PID COMM OLD-PARENT PARENT KIND DETAILS... */
};

static int split(char *line, struct row *r)
{
	char *save = NULL, *tok;

	r->n = 0;
	for (tok = strtok_r(line, " \t\n", &save); tok && r->n < NCOLS;
	     tok = strtok_r(NULL, " \t\n", &save))
		r->col[r->n++] = tok;
	return r->n;
}

static bool has_detail(const struct row *r, const char *d)
{
	int i;

	for (i = 7; i < r->n; i++)
		if (!strcmp(r->col[i], d) || !strncmp(r->col[i], d, strlen(d)))
			return true;
	return false;
}

static char *cell(const struct sc_actor *a, char *buf, size_t len)
{
	snprintf(buf, len, "%d/%s", a->pid, a->comm);
	return buf;
}

/*
 * The text line of event ev about actor subj, with its OLD-PARENT, PARENT
 * and KIND cells, and every detail in details (NULL-terminated).
 */
static void expect_line(const char *text, const char *ev, const struct sc_actor *subj,
			const char *old, const char *parent, const char *kind,
			const char *const *details)
{
	char *copy = strdup(text), *line, *save = NULL, pid[16], what[128];
	int found = 0;

	snprintf(pid, sizeof(pid), "%d", subj->pid);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *l = strdup(line);
		struct row r;
		int i;

		if (split(l, &r) < 7 || strcmp(r.col[1], ev) || strcmp(r.col[2], pid)) {
			free(l);
			continue;
		}
		found++;
		snprintf(what, sizeof(what), "text %s line of %s", ev, subj->role);
		if (!ASSERT_STREQ(r.col[3], subj->comm, what) ||
		    !ASSERT_STREQ(r.col[4], old, what) || !ASSERT_STREQ(r.col[5], parent, what) ||
		    !ASSERT_STREQ(r.col[6], kind, what))
			diag("  %s", line);
		for (i = 0; details && details[i]; i++)
			if (!ASSERT_TRUE(has_detail(&r, details[i]), details[i]))
				diag("  %s", line);
		free(l);
	}
	snprintf(what, sizeof(what), "one text %s line for %s", ev, subj->role);
	ASSERT_EQ(found, 1, what);
	free(copy);
}

static bool run_text(const char *name, struct sc_run *run, struct tracer *tr, char **text)
{
	FILE *f;
	size_t len = 0;

	*text = NULL;
	if (!run_traced(name, text_opts, run, tr))
		return false;
	f = fopen(tr->out_path, "re");
	if (!ASSERT_TRUE(f != NULL, "text output readable"))
		return false;
	if (getdelim(text, &len, 0, f) < 0) {
		free(*text);
		*text = strdup("");
	}
	fclose(f);
	if (!ASSERT_TRUE(!strncmp(*text, "TIME", 4) && strstr(*text, "EVENT") &&
				 strstr(*text, "OLD-PARENT") && strstr(*text, "DETAILS"),
			 "the first line is the header row"))
		return false;
	return true;
}

TEST(text_zombie_orphan)
{
	static const char *const zdet[] = { "zombie", NULL }, *const exit3[] = { "exit=3", NULL },
				 *const after[] = { "after=", NULL };
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_actor *A;
	char *text = NULL, h[64], p[64];
	int C, P;

	if (!run_text("zombie_orphan", &run, &tr, &text))
		goto out;
	A = run.truth->actors;
	C = sc_actor_by_role(run.truth, "orphan");
	P = sc_actor_by_role(run.truth, "parent");
	cell(&A[1], h, sizeof(h));
	cell(&A[P], p, sizeof(p));
	expect_line(text, "reparent", &A[C], p, h, "subreaper", zdet);
	expect_line(text, "zombie", &A[C], "-", p, "-", exit3);
	expect_line(text, "reap", &A[C], "-", h, "wait4", after);
	expect_line(text, "subreaper", &A[1], "-", "-", "on", NULL);
out:
	free(text);
	tracer_free(&tr);
	sc_release(&run);
}

TEST(text_pdeathsig)
{
	static const char *const rdet[] = { "pdeath=SIGTERM", NULL }, *const zdet[] = {
		"killed=SIGTERM", NULL
	};
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_actor *A;
	char *text = NULL, h[64], p[64];
	int C, P;

	if (!run_text("pdeathsig", &run, &tr, &text))
		goto out;
	A = run.truth->actors;
	C = sc_actor_by_role(run.truth, "orphan");
	P = sc_actor_by_role(run.truth, "parent");
	cell(&A[1], h, sizeof(h));
	cell(&A[P], p, sizeof(p));
	expect_line(text, "reparent", &A[C], p, h, "subreaper", rdet);
	expect_line(text, "zombie", &A[C], "-", h, "-", zdet);
out:
	free(text);
	tracer_free(&tr);
	sc_release(&run);
}

TEST(text_orphan_ns_init)
{
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_actor *A;
	char *text = NULL, i[64], p[64], nspid[32];
	const char *det[] = { nspid, NULL };
	int C, P, I;

	if (!run_text("orphan_ns_init", &run, &tr, &text))
		goto out;
	A = run.truth->actors;
	C = sc_actor_by_role(run.truth, "orphan");
	P = sc_actor_by_role(run.truth, "parent");
	I = sc_actor_by_role(run.truth, "ns_init");
	cell(&A[I], i, sizeof(i));
	cell(&A[P], p, sizeof(p));
	snprintf(nspid, sizeof(nspid), "nspid=%d", A[C].ns_pid);
	expect_line(text, "reparent", &A[C], p, i, "ns_init", det);
out:
	free(text);
	tracer_free(&tr);
	sc_release(&run);
}
