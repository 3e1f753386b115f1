/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A private Prometheus for one test: Debian's prometheus on a loopback
 * port, its own config and storage in a temporary directory, scraping one
 * target every second; queried through its HTTP API, taken down on every
 * path.
 */
#ifndef RT_TESTS_PROMETHEUS_H
#define RT_TESTS_PROMETHEUS_H

#include <stdbool.h>
#include <sys/types.h>

#define PROMETHEUS_BIN "/usr/bin/prometheus"
#define PROMTOOL_BIN   "/usr/bin/promtool"

struct prometheus {
	pid_t pid;
	unsigned int port;
	char dir[64]; /* "" when none */
};

/*
 * Starts it scraping http://127.0.0.1:@target/metrics every second, and
 * waits (30 s) until it is ready. Skips (false) where it is not installed;
 * asserts (false) when it does not come up. On false nothing is left.
 */
bool prometheus_start(struct prometheus *p, unsigned int target);

/*
 * The first sample of instant query @promql at @at (seconds since the
 * epoch; 0: now) into *@value. 0; -ENOENT when the result is empty;
 * -errno or -EPROTO when the API did not answer so.
 */
int prometheus_query(const struct prometheus *p, const char *promql, double at, double *value);

/*
 * Until a scrape of the target newer than @after_s (seconds since the
 * epoch) is stored, or @timeout_ms: that scrape's time, or 0.
 */
double prometheus_scraped_after(const struct prometheus *p, double after_s, int timeout_ms);

/* SIGTERM, wait, remove the directory. Safe on one never started. */
void prometheus_stop(struct prometheus *p);

#endif /* RT_TESTS_PROMETHEUS_H */
