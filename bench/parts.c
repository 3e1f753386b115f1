// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rt-bench-parts: attach the programs of bench/parts.bpf.c, say "attached" on
 * stdout, and hold them until SIGINT or SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "parts.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct parts_bpf *skel;
	int err;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = parts_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "rt-bench-parts: failed to load the BPF programs\n");
		return 1;
	}
	err = parts_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "rt-bench-parts: failed to attach: %d\n", err);
		goto cleanup;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		sleep(1);
cleanup:
	parts_bpf__destroy(skel);
	return err ? 1 : 0;
}
