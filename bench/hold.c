// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rt-bench-hold OBJ: load the BPF object file OBJ (bench/empty.bpf.c or
 * bench/parts.bpf.c, built into build/bench/), attach each of its programs
 * where its section says, say "attached" on stdout, and hold them until
 * SIGINT or SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#define MAX_PROGS 32

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct bpf_link *links[MAX_PROGS];
	struct bpf_object *obj;
	struct bpf_program *prog;
	int n = 0, err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: rt-bench-hold OBJECT.bpf.o\n");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "rt-bench-hold: failed to load %s: %s\n", argv[1], strerror(errno));
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (n == MAX_PROGS) {
			err = -E2BIG;
			fprintf(stderr, "rt-bench-hold: more than %d programs\n", MAX_PROGS);
			goto cleanup;
		}
		links[n] = bpf_program__attach(prog);
		if (!links[n]) {
			err = -errno;
			fprintf(stderr, "rt-bench-hold: failed to attach %s: %s\n",
				bpf_program__name(prog), strerror(-err));
			goto cleanup;
		}
		n++;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		sleep(1);
cleanup:
	while (n > 0)
		bpf_link__destroy(links[--n]);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
