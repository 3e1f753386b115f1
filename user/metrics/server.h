/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --metrics' HTTP side: libmicrohttpd's own thread serves the last page
 * published, GET /metrics (and HEAD). The tracer's thread only hands pages
 * over (metrics_server_publish()), and never waits for a client: a page is
 * swapped in under a lock that the server holds only to copy one out, and
 * the tracer only tries that lock.
 *
 * What a client can take is bounded: METRICS_MAX_CONNECTIONS at once (more
 * are closed as they come), METRICS_REQUEST_MEMORY bytes of request each
 * (a larger head is answered 431, a body is not read), and
 * METRICS_IDLE_TIMEOUT_S of silence.
 */
#ifndef REAPERTRACE_METRICS_SERVER_H
#define REAPERTRACE_METRICS_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#define METRICS_MAX_CONNECTIONS 64
#define METRICS_REQUEST_MEMORY	(32 * 1024)
#define METRICS_IDLE_TIMEOUT_S	5
#define METRICS_DEFAULT_HOST	"127.0.0.1"

struct metrics_server;

/*
 * Listens on @addr, as cli_parse_listen() takes it (127.0.0.1 when it
 * names no host; port 0: any free one). Says on stderr where it serves.
 * 0, or -errno after printing why.
 */
int metrics_server_start(const char *addr, struct metrics_server **out);
/* The port it listens on (the one the kernel chose for 0). */
unsigned int metrics_server_port(const struct metrics_server *s);
/*
 * Serve @page (@len bytes, malloc'ed; the server owns it now) from now on.
 * false when the server was copying the last page out just then: @page is
 * dropped, to be published again shortly (the tracer does not wait).
 */
bool metrics_server_publish(struct metrics_server *s, char *page, size_t len);
/* Stops serving: closes the connections, joins the thread. NULL is fine. */
void metrics_server_stop(struct metrics_server *s);

#endif /* REAPERTRACE_METRICS_SERVER_H */
