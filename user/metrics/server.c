// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --metrics over HTTP with libmicrohttpd: see server.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

#include "lib/cli.h"
#include "metrics/server.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_server {
	struct MHD_Daemon *daemon;
	unsigned int port;
	pthread_mutex_t lock; /* page and len: swapped by the tracer, copied by the server */
	char *page;
	size_t len;
};

/* The listening socket, made here so that what fails can be said precisely. */
static int listen_on(const char *host, unsigned int port, unsigned int *bound)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} a = {};
	socklen_t len;
	int fd, one = 1, err;

	if (inet_pton(AF_INET, host, &a.in.sin_addr) == 1) {
		a.in.sin_family = AF_INET;
		a.in.sin_port = htons(port);
		len = sizeof(a.in);
	} else if (inet_pton(AF_INET6, host, &a.in6.sin6_addr) == 1) {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons(port);
		len = sizeof(a.in6);
	} else {
		return -EINVAL; /* cli_parse_listen() took only numeric ones */
	}
	fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, &a.sa, len) || listen(fd, 128) || getsockname(fd, &a.sa, &len)) {
		err = -errno;
		close(fd);
		return err;
	}
	*bound = ntohs(a.sa.sa_family == AF_INET ? a.in.sin_port : a.in6.sin6_port);
	return fd;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *text)
{
	return reply(conn, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* The page as published now: copied under the lock, never waited for by the tracer. */
static enum MHD_Result reply_page(struct metrics_server *s, struct MHD_Connection *conn)
{
	enum MHD_Result ret;

	pthread_mutex_lock(&s->lock);
	if (s->page)
		ret = reply(conn, MHD_HTTP_OK, CONTENT_TYPE, s->page, s->len);
	else
		ret = reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no metrics yet\n");
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req)
{
	static int first_call;

	/* libmicrohttpd calls once with the head, then with any body. */
	if (!*req) {
		*req = &first_call;
		if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
			return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
					  "only GET and HEAD are served\n");
		return MHD_YES;
	}
	if (*upload_data_size)
		return MHD_NO; /* a GET with a body: not read, the connection is closed */
	if (!strcmp(url, "/metrics"))
		return reply_page(cls, conn);
	if (!strcmp(url, "/"))
		return reply_text(conn, MHD_HTTP_OK, "reapertrace: metrics at /metrics\n");
	return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
}

int metrics_server_start(const char *addr, struct metrics_server **out)
{
	struct metrics_server *s;
	sigset_t stops, old;
	char host[64];
	unsigned int port;
	int fd;

	if (cli_parse_listen(addr, METRICS_DEFAULT_HOST, host, sizeof(host), &port)) {
		fprintf(stderr, "reapertrace: invalid --metrics '%s': %s\n", addr,
			CLI_LISTEN_EXPECTED);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	fd = listen_on(host, port, &s->port);
	if (fd < 0) {
		fprintf(stderr, "reapertrace: cannot serve metrics on %s port %u: %s\n", host, port,
			strerror(-fd));
		metrics_server_stop(s);
		return fd;
	}
	/* The server's thread takes no stop signal: the tracer's thread does. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	s->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, on_request, s,
		MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)METRICS_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)METRICS_IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)METRICS_REQUEST_MEMORY, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->daemon) {
		close(fd);
		fprintf(stderr, "reapertrace: libmicrohttpd could not start serving metrics\n");
		metrics_server_stop(s);
		return -EIO;
	}
	fprintf(stderr, "reapertrace: serving metrics on http://%s%s%s:%u/metrics\n",
		strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", s->port);
	*out = s;
	return 0;
}

unsigned int metrics_server_port(const struct metrics_server *s)
{
	return s->port;
}

bool metrics_server_publish(struct metrics_server *s, char *page, size_t len)
{
	char *old;

	if (pthread_mutex_trylock(&s->lock)) {
		free(page);
		return false;
	}
	old = s->page;
	s->page = page;
	s->len = len;
	pthread_mutex_unlock(&s->lock);
	free(old);
	return true;
}

void metrics_server_stop(struct metrics_server *s)
{
	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	pthread_mutex_destroy(&s->lock);
	free(s->page);
	free(s);
}
