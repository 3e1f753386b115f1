/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Docker container names, asked of the Docker Engine API on its unix
 * socket ($DOCKER_HOST when it is unix://PATH, else /run/docker.sock) by a
 * thread of their own, so that the stream never waits for the daemon: a
 * name is there from the first record after the answer came, and never if
 * the daemon does not answer (1 s per request). Names are never required.
 */
#ifndef REAPERTRACE_DOCKER_NAMES_H
#define REAPERTRACE_DOCKER_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct docker_names;

/* NULL when there is no socket to ask (nothing to do), or out of memory. */
struct docker_names *docker_names__new(void);
void docker_names__free(struct docker_names *n);

/*
 * The name of container @id (64 hex digits) into @buf if the daemon gave
 * it; else false, and the question is asked once in the background.
 */
bool docker_names__get(struct docker_names *n, const char *id, char *buf, size_t size);

/* How many answers came so far (a count that only grows; no lock taken). */
unsigned int docker_names__answers(const struct docker_names *n);

/*
 * For the one-shot snapshots: the names of @n containers (@cts, skipping
 * those not Docker's), asked now, one question each, up to 1 s per step;
 * after a question that got no answer, no more are asked. 0, or -ENOENT
 * when there is no socket to ask.
 */
struct container;
int docker_names_fill(struct container **cts, size_t n);

/* The name in a GET /containers/ID/json answer's body: its top-level "Name", without the '/'. */
bool docker_names_parse(const char *body, char *buf, size_t size);

#endif /* REAPERTRACE_DOCKER_NAMES_H */
