// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel differences: `reapertrace -v` names the path it chose for each
 * (the orphan walk, the zombie tables, the program object: direct loads
 * and atomics, or legacy); each choice
 * must match what the kernel has, found another way (its BTF, its
 * version), and the chosen orphan walk must report a scenario exactly.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "harness.h"
#include "kfeatures.h"
#include "tracer.h"

TEST(features_match_kernel)
{
	static const char *const opts[] = { "--json", "-v", NULL };
	char buf[512], walk[32], tables[32], programs[32];
	struct check_opts co = { .max_phase = 1 };
	struct sc_run run = {};
	struct tracer tr = {};
	const char *line;
	bool has_loop, has_alloc;
	struct utsname u;
	int version;

	if (!run_traced("orphan_subreaper", opts, &run, &tr))
		goto out;
	line = features_line(tr.err_text, buf, sizeof(buf));
	if (!ASSERT_TRUE(line != NULL, "-v prints a features line"))
		goto out;
	uname(&u);
	diag("kernel %s: %s", u.release, line);
	if (!ASSERT_TRUE(feature_value(line, "orphan_walk", walk, sizeof(walk)) &&
				 feature_value(line, "zombie_tables", tables, sizeof(tables)) &&
				 feature_value(line, "programs", programs, sizeof(programs)),
			 "the features line names every choice"))
		goto out;

	/* bpf_loop (5.17): the enumerator BPF_FUNC_loop of enum bpf_func_id. */
	has_loop = kernel_btf_has_name("BPF_FUNC_loop");
	ASSERT_STREQ(walk, has_loop ? "bpf_loop" : "bounded", "orphan walk path");
	ASSERT_EQ(feature_number(line, "max_orphans"), has_loop ? 1L << 22 : 32768L, "max_orphans");
	/* BPF's memory allocator (6.1): struct bpf_mem_alloc. */
	has_alloc = kernel_btf_has_name("bpf_mem_alloc");
	ASSERT_STREQ(tables, has_alloc ? "dynamic" : "prealloc", "zombie tables");
	ASSERT_EQ(feature_number(line, "max_zombies"), has_alloc ? 262144L : 65536L, "max_zombies");
	version = kernel_version();
	if (ASSERT_GT(version, 0, "kernel version")) {
		/* bpf_get_current_task_btf() (5.11), BPF_CMPXCHG (5.12, not in BTF). */
		ASSERT_STREQ(programs,
			     version >= 5012 &&
					     kernel_btf_has_name("BPF_FUNC_get_current_task_btf") ?
				     "btf" :
				     "legacy",
			     "program object");
	}
	/* The path that ran reports the scenario exactly. */
	check_events(&tr.doc, run.truth, &co, &tr);
out:
	tracer_free(&tr);
	sc_release(&run);
}

/*
 * The legacy programs (helper reads, hash maps: what kernels before 5.12
 * load) on this kernel, with REAPERTRACE_LEGACY: the same scenarios come out
 * exactly as with the default programs, the containers' zombies (keyed in a
 * child namespace) and the autoreaped ones included.
 */
TEST(features_legacy_programs)
{
	static const char *const opts[] = { "--json", "-v", NULL };
	static const char *const names[] = { "container", "zombie_orphan", "zombie_to_ignorer",
					     "nested_subreapers", "exit_codes" };
	struct check_opts co = { .max_phase = 1 };
	char buf[512], programs[32];
	unsigned int i;

	setenv("REAPERTRACE_LEGACY", "1", 1);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sc_run run = {};
		struct tracer tr = {};
		const char *line;

		diag("scenario %s", names[i]);
		if (run_traced(names[i], opts, &run, &tr)) {
			line = features_line(tr.err_text, buf, sizeof(buf));
			if (ASSERT_TRUE(line && feature_value(line, "programs", programs,
							      sizeof(programs)),
					"-v names the programs"))
				ASSERT_STREQ(programs, "legacy", "REAPERTRACE_LEGACY loads them");
			check_events(&tr.doc, run.truth, &co, &tr);
		}
		tracer_free(&tr);
		sc_release(&run);
	}
	unsetenv("REAPERTRACE_LEGACY");
}
