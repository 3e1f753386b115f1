// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * user/lib/docker_names.c alone: the top-level "Name" of an inspect
 * answer, and the background questions, against a stand-in for the
 * Engine API on a unix socket made here ($DOCKER_HOST): a name comes
 * after the answer, never by waiting; a daemon that never answers
 * blocks neither a lookup nor the end.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "lib/container.h"
#include "lib/docker_names.h"
#include "harness.h"

#define ID "3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6"

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

TEST(docker_names_parse_inspect)
{
	char name[128];

	ASSERT_TRUE(docker_names_parse("{\"Id\":\"" ID "\",\"Name\":\"/web\",\"Config\":{}}", name,
				       sizeof(name)),
		    "a name");
	ASSERT_STREQ(name, "web", "without the slash");
	/* a "Name" below the top level is not the container's */
	ASSERT_TRUE(docker_names_parse("{\"State\":{\"Name\":\"x\"},\"Args\":[\"Name\"],"
				       "\"Path\":\"a\\\"Name\\\"\", \"Name\" : \"/db-1\"}",
				       name, sizeof(name)),
		    "the top-level one");
	ASSERT_STREQ(name, "db-1", "the top-level one, spaces around the colon");
	ASSERT_FALSE(docker_names_parse("{\"message\":\"No such container\"}", name, sizeof(name)),
		     "an error answer");
	ASSERT_FALSE(docker_names_parse("{\"Name\":\"/we", name, sizeof(name)), "cut short");
	ASSERT_FALSE(docker_names_parse("{\"Name\":\"/a\\\"b\"}", name, sizeof(name)),
		     "an escape is no Docker name");
	ASSERT_FALSE(docker_names_parse("{\"Name\":\"/toolong\"}", name, 4), "no room");
}

/* The stand-in daemon: answers each connection (or, hung, reads and never answers). */
struct daemon {
	int fd;
	bool hung;
	int asked; /* connections taken */
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct daemon *d = arg;
	char req[1024], answer[512];
	int c;

	while ((c = accept(d->fd, NULL, NULL)) >= 0) {
		ssize_t n = read(c, req, sizeof(req) - 1);

		d->asked++;
		if (d->hung) {
			sleep(5); /* longer than the client's timeout */
		} else if (n > 0) {
			req[n] = 0;
			snprintf(answer, sizeof(answer),
				 "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n"
				 "{\"Id\":\"%s\",\"Name\":\"/%s\"}",
				 ID, strstr(req, "GET /containers/" ID "/json") ? "web" : "other");
			if (write(c, answer, strlen(answer)) < 0)
				break;
		}
		close(c);
	}
	return NULL;
}

static bool start_daemon(struct daemon *d, bool hung, char *path, size_t size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char host[160];

	snprintf(path, size, "/tmp/rt-docker-api-%d.sock", getpid());
	unlink(path);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	d->hung = hung;
	d->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!ASSERT_GE(d->fd, 0, "socket") ||
	    !ASSERT_OK(bind(d->fd, (struct sockaddr *)&addr, sizeof(addr)), "bind") ||
	    !ASSERT_OK(listen(d->fd, 8), "listen"))
		return false;
	snprintf(host, sizeof(host), "unix://%s", path);
	setenv("DOCKER_HOST", host, 1);
	return ASSERT_OK(pthread_create(&d->thread, NULL, serve, d), "the daemon's thread");
}

static void stop_daemon(struct daemon *d, const char *path)
{
	shutdown(d->fd, SHUT_RDWR);
	close(d->fd);
	pthread_join(d->thread, NULL);
	unlink(path);
}

TEST(docker_names_asked_in_the_background)
{
	struct docker_names *n;
	struct daemon d = {};
	char path[108], name[128];
	unsigned long long t0;
	bool got = false;
	int i;

	if (!start_daemon(&d, false, path, sizeof(path)))
		return;
	n = docker_names__new();
	if (!ASSERT_TRUE(n, "a socket to ask"))
		goto out;
	ASSERT_FALSE(docker_names__get(n, ID, name, sizeof(name)), "not known at the first ask");
	for (i = 0; i < 200 && !got; i++) {
		usleep(10000);
		got = docker_names__get(n, ID, name, sizeof(name));
	}
	if (ASSERT_TRUE(got, "known once the daemon answered"))
		ASSERT_STREQ(name, "web", "its name");
	t0 = now_ms();
	for (i = 0; i < 100; i++)
		docker_names__get(n, ID, name, sizeof(name));
	ASSERT_LT(now_ms() - t0, 100, "known names: no question asked again");
	ASSERT_EQ(d.asked, 1, "the daemon asked once");
	docker_names__free(n);
out:
	stop_daemon(&d, path);
}

TEST(docker_names_hung_daemon_blocks_nothing)
{
	struct docker_names *n;
	struct daemon d = {};
	char path[108], name[128];
	unsigned long long t0;
	int i;

	if (!start_daemon(&d, true, path, sizeof(path)))
		return;
	n = docker_names__new();
	if (!ASSERT_TRUE(n, "a socket to ask"))
		goto out;
	t0 = now_ms();
	for (i = 0; i < 1000; i++)
		ASSERT_FALSE(docker_names__get(n, ID, name, sizeof(name)),
			     "no name from a hung daemon");
	ASSERT_LT(now_ms() - t0, 200, "1,000 lookups while the daemon hangs: none waits");
	usleep(200000); /* the question is in flight now */
	t0 = now_ms();
	docker_names__free(n);
	ASSERT_LT(now_ms() - t0, 2500, "the end waits at most the request's timeouts");
out:
	stop_daemon(&d, path);
}

TEST(docker_names_no_socket)
{
	setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock", 1);
	ASSERT_FALSE(docker_names__new(), "no socket: nothing to ask, no thread");
}

/* The snapshots' way: asked now, Docker's containers only; a hung daemon is asked once. */
TEST(docker_names_fill_now)
{
	struct container web = { .id = ID, .runtime = "docker" },
			 other = { .runtime = "containerd" }, more = { .runtime = "docker" };
	struct container *cts[] = { &other, &web, &more };
	struct daemon d = {};
	char path[108];
	unsigned long long t0;

	snprintf(other.id, sizeof(other.id), "%s", ID);
	snprintf(more.id, sizeof(more.id), "%064d", 1);
	if (!start_daemon(&d, false, path, sizeof(path)))
		return;
	ASSERT_OK(docker_names_fill(cts, 3), "filled");
	ASSERT_STREQ(web.name, "web", "Docker's container named");
	ASSERT_STREQ(more.name, "other", "each asked");
	ASSERT_STREQ(other.name, "", "another runtime's not asked");
	ASSERT_EQ(d.asked, 2, "one question per Docker container");
	stop_daemon(&d, path);

	web.name[0] = more.name[0] = 0;
	d = (struct daemon){};
	if (!start_daemon(&d, true, path, sizeof(path)))
		return;
	t0 = now_ms();
	ASSERT_OK(docker_names_fill(cts, 3), "filled, without names");
	ASSERT_LT(now_ms() - t0, 2500, "one question's timeouts");
	ASSERT_STREQ(web.name, "", "no name from a hung daemon");
	ASSERT_EQ(d.asked, 1, "no second question after no answer");
	stop_daemon(&d, path);
	setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock", 1);
	ASSERT_ERR(docker_names_fill(cts, 3), -ENOENT, "no socket");
}
