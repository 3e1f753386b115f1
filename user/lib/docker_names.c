// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Docker container names from the Engine API, off the stream's thread (docker_names.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "lib/container.h"
#include "lib/docker_names.h"

#define MAX_NAMES   1024 /* remembered; the oldest answered one makes room */
#define NAME_LEN    128
#define ANSWER_MAX  (256 * 1024)
#define TIMEOUT_SEC 1

enum name_state {
	NAME_FREE,
	NAME_ASKED, /* waiting for the thread */
	NAME_FOUND,
	NAME_NONE, /* the daemon did not answer, or has no such container */
};

struct name_entry {
	char id[CONTAINER_ID_LEN + 1];
	char name[NAME_LEN];
	enum name_state state;
};

struct docker_names {
	struct sockaddr_un addr;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	struct name_entry entries[MAX_NAMES];
	size_t next;	      /* where the next new id goes, round robin */
	unsigned int answers; /* questions answered or given up, atomically read */
};

/* A JSON string at @s ('"' first): its end past the closing quote, NULL if cut short. */
static const char *skip_string(const char *s)
{
	for (s++; *s; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (*s == '"')
			return s + 1;
	}
	return NULL;
}

bool docker_names_parse(const char *body, char *buf, size_t size)
{
	const char *s = body, *end, *v;
	int depth = 0;

	while (*s) {
		if (*s == '"') {
			end = skip_string(s);
			if (!end)
				return false;
			/* A key of the top-level object: "Name" : "..." */
			v = end;
			while (*v == ' ' || *v == '\n' || *v == '\r' || *v == '\t')
				v++;
			if (depth == 1 && end - s == 6 && !memcmp(s, "\"Name\"", 6) && *v == ':') {
				for (v++; *v == ' '; v++)
					;
				end = *v == '"' ? skip_string(v) : NULL;
				/* Docker names are [a-zA-Z0-9][a-zA-Z0-9_.-]*: no escapes */
				if (!end || memchr(v, '\\', end - v) ||
				    (size_t)(end - v - 2) >= size)
					return false;
				v += v[1] == '/' ? 2 : 1;
				snprintf(buf, size, "%.*s", (int)(end - 1 - v), v);
				return buf[0] != 0;
			}
			s = end;
			continue;
		}
		if (*s == '{' || *s == '[')
			depth++;
		else if (*s == '}' || *s == ']')
			depth--;
		s++;
	}
	return false;
}

/*
 * GET /containers/@id/json: 1 and the name, 0 when the daemon answered
 * without one (no such container), -1 when it did not answer. Blocks at
 * most about TIMEOUT_SEC per step.
 */
static int ask(const struct sockaddr_un *addr, const char *id, char *name, size_t size)
{
	struct timeval tv = { .tv_sec = TIMEOUT_SEC };
	char req[256], *answer = NULL, *body;
	size_t len = 0;
	int found = -1;
	ssize_t n;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	answer = malloc(ANSWER_MAX + 1);
	if (!answer || connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
		goto out;
	n = snprintf(req, sizeof(req), "GET /containers/%s/json HTTP/1.0\r\nHost: docker\r\n\r\n",
		     id);
	if (send(fd, req, n, MSG_NOSIGNAL) != n)
		goto out;
	while (len < ANSWER_MAX && (n = recv(fd, answer + len, ANSWER_MAX - len, 0)) > 0)
		len += n;
	answer[len] = 0;
	body = strstr(answer, "\r\n\r\n");
	if (body)
		found = (!strncmp(answer, "HTTP/1.0 200", 12) ||
			 !strncmp(answer, "HTTP/1.1 200", 12)) &&
			docker_names_parse(body + 4, name, size);
out:
	free(answer);
	close(fd);
	return found;
}

static void *worker(void *arg)
{
	struct docker_names *n = arg;
	char id[CONTAINER_ID_LEN + 1], name[NAME_LEN];
	size_t i;
	bool found;

	pthread_mutex_lock(&n->lock);
	while (!n->stop) {
		for (i = 0; i < MAX_NAMES && n->entries[i].state != NAME_ASKED; i++)
			;
		if (i == MAX_NAMES) {
			pthread_cond_wait(&n->wake, &n->lock);
			continue;
		}
		memcpy(id, n->entries[i].id, sizeof(id));
		pthread_mutex_unlock(&n->lock);
		found = ask(&n->addr, id, name, sizeof(name)) > 0;
		pthread_mutex_lock(&n->lock);
		/* the slot may hold another id by now */
		if (!strcmp(n->entries[i].id, id)) {
			n->entries[i].state = found ? NAME_FOUND : NAME_NONE;
			if (found)
				memcpy(n->entries[i].name, name, sizeof(name));
		}
		__atomic_add_fetch(&n->answers, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

/* $DOCKER_HOST's unix socket, else the daemon's default one. */
static const char *socket_path(void)
{
	const char *host = getenv("DOCKER_HOST");

	if (host && !strncmp(host, "unix://", 7))
		return host + 7;
	return "/run/docker.sock";
}

/* The daemon's socket address; false when there is none to ask. */
static bool daemon_addr(struct sockaddr_un *addr)
{
	const char *path = socket_path();
	struct stat st;

	if (stat(path, &st) || !S_ISSOCK(st.st_mode) || strlen(path) >= sizeof(addr->sun_path))
		return false;
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	snprintf(addr->sun_path, sizeof(addr->sun_path), "%s", path);
	return true;
}

int docker_names_fill(struct container **cts, size_t n)
{
	struct sockaddr_un addr;
	size_t i;

	if (!daemon_addr(&addr))
		return -ENOENT;
	for (i = 0; i < n; i++) {
		struct container *c = cts[i];

		if (!c->runtime || strcmp(c->runtime, "docker") || c->name[0])
			continue;
		if (ask(&addr, c->id, c->name, sizeof(c->name)) < 0)
			break; /* no answer: the daemon is not to be waited for again */
	}
	return 0;
}

struct docker_names *docker_names__new(void)
{
	struct sockaddr_un addr;
	struct docker_names *n;

	if (!daemon_addr(&addr))
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->addr = addr;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->wake, NULL);
	if (pthread_create(&n->thread, NULL, worker, n)) {
		pthread_mutex_destroy(&n->lock);
		pthread_cond_destroy(&n->wake);
		free(n);
		return NULL;
	}
	return n;
}

void docker_names__free(struct docker_names *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	n->stop = true;
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
	/* at most one request in flight, bounded by its timeouts */
	pthread_join(n->thread, NULL);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->wake);
	free(n);
}

unsigned int docker_names__answers(const struct docker_names *n)
{
	return __atomic_load_n(&n->answers, __ATOMIC_ACQUIRE);
}

bool docker_names__get(struct docker_names *n, const char *id, char *buf, size_t size)
{
	struct name_entry *e = NULL;
	bool found = false;
	size_t i;

	pthread_mutex_lock(&n->lock);
	for (i = 0; i < MAX_NAMES && !e; i++)
		if (n->entries[i].state != NAME_FREE && !strcmp(n->entries[i].id, id))
			e = &n->entries[i];
	if (e && e->state == NAME_FOUND) {
		snprintf(buf, size, "%s", e->name);
		found = true;
	} else if (!e) {
		/* a new id takes the next slot that is not waiting for the thread */
		for (i = 0; i < MAX_NAMES && n->entries[n->next].state == NAME_ASKED; i++)
			n->next = (n->next + 1) % MAX_NAMES;
		if (i < MAX_NAMES) {
			e = &n->entries[n->next];
			n->next = (n->next + 1) % MAX_NAMES;
			snprintf(e->id, sizeof(e->id), "%s", id);
			e->name[0] = 0;
			e->state = NAME_ASKED;
			pthread_cond_signal(&n->wake);
		}
	}
	pthread_mutex_unlock(&n->lock);
	return found;
}
