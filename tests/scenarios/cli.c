// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rt-scenario NAME: runs one scenario standalone and prints its truth, so
 * that reapertrace can be watched in another terminal.
 *
 *	terminal 1: sudo build/reapertrace
 *	terminal 2: sudo build/rt-scenario orphan_subreaper
 *
 * rt-scenario -l lists the scenarios. Scenarios with a hold point stop
 * there until Enter is pressed (or at once with -n).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "scenarios.h"

static void usage(FILE *f)
{
	int i;

	fprintf(f, "usage: rt-scenario [-n] NAME\n       rt-scenario -l\n\nscenarios:\n");
	for (i = 0; i < nr_scenarios; i++)
		fprintf(f, "  %-18s %s%s\n", scenarios[i].name, scenarios[i].help,
			scenarios[i].has_hold ? " [hold]" : "");
}

int main(int argc, char **argv)
{
	bool no_wait = false;
	struct sc_run run;
	const char *name;
	int ret = 0, i = 1;

	if (argc > 1 && !strcmp(argv[1], "-l")) {
		for (i = 0; i < nr_scenarios; i++)
			printf("%s\n", scenarios[i].name);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "-n")) {
		no_wait = true;
		i++;
	}
	if (argc != i + 1 || !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
		usage(argc == i + 1 ? stdout : stderr);
		return argc == i + 1 ? 0 : 2;
	}
	name = argv[i];
	if (!sc_find(name)) {
		fprintf(stderr, "rt-scenario: no scenario '%s'\n", name);
		usage(stderr);
		return 2;
	}
	/* Nothing of the scenario may escape to PID 1. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (sc_start(&run, name)) {
		if (run.truth && run.truth->skip[0]) {
			printf("skipped: %s\n", run.truth->skip);
			sc_release(&run);
			return 0;
		}
		fprintf(stderr, "rt-scenario: %s\n",
			run.truth && run.truth->error[0] ? run.truth->error : strerror(errno));
		sc_release(&run);
		return 1;
	}
	printf("harness pid %d\n", run.harness);
	fflush(stdout);
	sc_go(&run);
	if (run.sc->has_hold) {
		if (sc_wait_hold(&run) == 0) {
			printf("holding (zombies/processes in place)%s\n",
			       no_wait ? "" : ": press Enter to continue");
			fflush(stdout);
			if (!no_wait) {
				char line[16];

				if (!fgets(line, sizeof(line), stdin))
					line[0] = 0;
			}
		}
		sc_continue(&run);
	}
	if (sc_finish(&run))
		ret = 1;
	sc_print_truth(run.truth, stdout);
	sc_release(&run);
	return ret;
}
