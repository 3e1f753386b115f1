// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A wait the tracer never saw begin: P is already blocked in wait4() when
 * the tracer starts (the hold point), which is, for the tracer, what a
 * wait whose sys_enter run the kernel skipped is (7.x preempts the
 * programs of syscall tracepoints). And the zombie's release comes before
 * the wait returns: wait4 writes the status word after it released the
 * child, and here that word is on a page userfaultfd leaves missing, so
 * the wait stalls there until the child's task is freed. Only the parent's
 * own state can then say who reaped the child (wait_in_progress() in
 * bpf/reapertrace.bpf.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario_lib.h"

/* After the child's /proc entry is gone (released), the free takes an RCU grace period. */
#define FREE_GRACE_MS 1000

struct stall {
	struct sc_truth *t;
	int uffd;
	void *page;
	size_t size;
	pid_t child;
};

/* P's second thread: lets the first fault on the page stall until the child is freed. */
static void *stall_status_write(void *arg)
{
	struct stall *s = arg;
	struct pollfd pfd = { .fd = s->uffd, .events = POLLIN };
	struct uffdio_range wake = { .start = (unsigned long)s->page, .len = s->size };
	struct uffdio_zeropage zero = { .range = wake };
	struct uffd_msg msg;
	char path[32];

	if (poll(&pfd, 1, STEP_TIMEOUT_MS) != 1 ||
	    read(s->uffd, &msg, sizeof(msg)) != sizeof(msg) || msg.event != UFFD_EVENT_PAGEFAULT) {
		sc_error(s->t, "the wait's status write did not fault: %s", strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "/proc/%d", s->child);
	if (!wait_path_gone(path, STEP_TIMEOUT_MS))
		sc_error(s->t, "the child was not released while the wait stalled");
	usleep(FREE_GRACE_MS * 1000);
out:
	/* Fill the page whatever happened, so that the wait returns. */
	if (ioctl(s->uffd, UFFDIO_ZEROPAGE, &zero) && errno != EEXIST)
		ioctl(s->uffd, UFFDIO_WAKE, &wake);
	return NULL;
}

/* A page of @s whose first touch (the kernel's too) waits for stall_status_write(). */
static int stall_open(struct stall *s)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	s->size = sysconf(_SC_PAGESIZE);
	s->uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	s->page = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (unsigned long)s->page;
	reg.range.len = s->size;
	if (s->uffd < 0 || s->page == MAP_FAILED || ioctl(s->uffd, UFFDIO_API, &api) ||
	    ioctl(s->uffd, UFFDIO_REGISTER, &reg)) {
		sc_error(s->t, "userfaultfd setup: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The syscall number /proc/@pid/syscall says @pid is blocked in, or -1. */
static long blocked_in(pid_t pid)
{
	char path[40];
	long nr = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	return nr;
}

/*
 * H (subreaper) -> P (rt-waiter) -> C (rt-child, blocked on a pipe). P
 * blocks in wait4(C) with its status word on the stalling page. Hold point,
 * while P is in that wait. Then C exits 7: its zombie, released by P's
 * wait, which returns once C is freed. P exits; H reaps it.
 */
void sc_wait_before_start(struct sc_truth *t)
{
	enum { P = 2, C = 3 };
	struct chan rel = { -1, -1 }, rdy = { -1, -1 };
	int n, first;
	long nr;
	pid_t p;

	n = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (n < 0) {
		snprintf(t->skip, sizeof(t->skip), "no userfaultfd: %s", strerror(errno));
		return;
	}
	close(n);
	if (chan_open(t, &rel) || chan_open(t, &rdy))
		goto out;
	p = fork();
	if (p == 0) {
		struct stall s = { .t = t };
		pthread_t th;
		pid_t c, got;

		xclose(&rel.w);
		xclose(&rdy.r);
		actor_self(t, P, "waiter", "rt-waiter");
		if (stall_open(&s))
			_exit(1);
		c = fork();
		if (c == 0) {
			actor_self(t, C, "child", "rt-child");
			block_on(rel.r);
			_exit(7);
		}
		xclose(&rel.r);
		if (c < 0) {
			sc_error(t, "fork: %s", strerror(errno));
			_exit(1);
		}
		s.child = c;
		if (pthread_create(&th, NULL, stall_status_write, &s)) {
			sc_error(t, "pthread_create failed");
			_exit(1);
		}
		put_byte(rdy.w, 'r');
		got = wait4(c, (int *)s.page, 0, NULL);
		pthread_join(th, NULL);
		if (got != c || !WIFEXITED(*(int *)s.page) || WEXITSTATUS(*(int *)s.page) != 7)
			sc_error(t, "wait4 returned %d (%s), status 0x%x", got,
				 got < 0 ? strerror(errno) : "", *(int *)s.page);
		_exit(failed(t) ? 1 : 0);
	}
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	xclose(&rel.r);
	xclose(&rdy.w);
	if (wait_byte(rdy.r, STEP_TIMEOUT_MS)) {
		sc_error(t, "the waiter did not start");
		goto out;
	}
	/* The hold comes once the wait has begun: P blocked in wait4. */
	for (n = 0; (nr = blocked_in(PID(P))) != SYS_wait4 && n < STEP_TIMEOUT_MS / 10; n++)
		usleep(10 * 1000);
	if (nr != SYS_wait4) {
		sc_error(t, "the waiter is not blocked in wait4 (/proc/%d/syscall: %ld)", PID(P),
			 nr);
		goto out;
	}
	if (hold(t))
		goto out;
	xclose(&rel.w);
	if (reap_child(t, PID(P), 0, "waiter"))
		goto out;
	first = t->nr_events;
	exp_zombie(t, C, P, 7, 0);
	exp_reap(t, C, P, "wait4");
	exp_zombie(t, P, A_HARNESS, 0, 0);
	exp_reap(t, P, A_HARNESS, "wait4");
	for (n = first; n < t->nr_events; n++)
		t->events[n].phase = 1;
out:
	chan_close(&rel);
	chan_close(&rdy);
	reap_rest(t);
}
