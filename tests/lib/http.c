// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One GET over loopback (http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "proc.h"

static struct sockaddr_in loopback(unsigned int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

int http_connect(unsigned int port)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

unsigned int http_free_port(void)
{
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned int port = 0;

	if (fd < 0)
		return 0;
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

int http_get(unsigned int port, const char *path, char **body, int timeout_ms)
{
	unsigned long long deadline = boottime_ns() + timeout_ms * 1000000ULL, now;
	char req[4096], *buf = NULL, *b;
	size_t len = 0, cap = 0;
	int fd, status = -EPROTO;
	ssize_t n;

	*body = NULL;
	fd = http_connect(port);
	if (fd < 0)
		return fd;
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%u\r\n\r\n", path, port);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -EIO;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		now = boottime_ns();
		if (now >= deadline || poll(&p, 1, (deadline - now) / 1000000 + 1) <= 0) {
			status = -ETIMEDOUT;
			goto out;
		}
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			b = realloc(buf, cap);
			if (!b) {
				status = -ENOMEM;
				goto out;
			}
			buf = b;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			status = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (!buf)
		goto out;
	buf[len] = 0;
	b = strstr(buf, "\r\n\r\n");
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 || !b) {
		status = -EPROTO;
		goto out;
	}
	b += 4;
	memmove(buf, b, len - (b - buf) + 1);
	*body = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return status;
}
