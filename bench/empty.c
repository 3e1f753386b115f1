// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rt-bench-empty: attach bench/empty.bpf.c's program, say "attached" on
 * stdout, and hold it until SIGINT or SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "empty.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct empty_bpf *skel;
	int err;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = empty_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "rt-bench-empty: failed to load the BPF program\n");
		return 1;
	}
	err = empty_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "rt-bench-empty: failed to attach: %d\n", err);
		goto cleanup;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		sleep(1);
cleanup:
	empty_bpf__destroy(skel);
	return err ? 1 : 0;
}
