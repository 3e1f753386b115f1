/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The tests' HTTP client: one GET over loopback, HTTP/1.0, the whole
 * answer read until the server closes. For --metrics and Prometheus's API.
 */
#ifndef RT_TESTS_HTTP_H
#define RT_TESTS_HTTP_H

/*
 * GET http://127.0.0.1:@port@path; the body, malloc'ed, into *@body (NULL
 * if none). The status code, or -errno (-ETIMEDOUT after @timeout_ms).
 */
int http_get(unsigned int port, const char *path, char **body, int timeout_ms);

/* A connected socket to 127.0.0.1:@port, or -errno. */
int http_connect(unsigned int port);

/* A port free on 127.0.0.1 now (for a server that cannot take 0), or 0. */
unsigned int http_free_port(void);

#endif /* RT_TESTS_HTTP_H */
