// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A private Prometheus (prometheus.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "http.h"
#include "proc.h"
#include "prometheus.h"

static bool write_config(const char *path, unsigned int target)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return false;
	fprintf(f,
		"global:\n"
		"  scrape_interval: 1s\n"
		"  scrape_timeout: 1s\n"
		"scrape_configs:\n"
		"  - job_name: reapertrace\n"
		"    static_configs:\n"
		"      - targets: [\"127.0.0.1:%u\"]\n",
		target);
	return !fclose(f);
}

bool prometheus_start(struct prometheus *p, unsigned int target)
{
	char config[128], data[128], listen[64], log[128], *body = NULL;
	int i, status;

	memset(p, 0, sizeof(*p));
	if (access(PROMETHEUS_BIN, X_OK)) {
		test_skip("%s is not installed (scripts/deps.sh installs Debian's prometheus)",
			  PROMETHEUS_BIN);
		return false;
	}
	snprintf(p->dir, sizeof(p->dir), "/tmp/rt-prometheus-XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(p->dir), "a directory for Prometheus")) {
		p->dir[0] = 0;
		return false;
	}
	snprintf(config, sizeof(config), "%s/prometheus.yml", p->dir);
	snprintf(data, sizeof(data), "%s/data", p->dir);
	snprintf(log, sizeof(log), "%s/prometheus.log", p->dir);
	p->port = http_free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", p->port);
	if (!ASSERT_TRUE(p->port && write_config(config, target), "its config")) {
		prometheus_stop(p);
		return false;
	}
	p->pid = fork();
	if (p->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		char cfg_arg[160], data_arg[160], listen_arg[96];

		snprintf(cfg_arg, sizeof(cfg_arg), "--config.file=%s", config);
		snprintf(data_arg, sizeof(data_arg), "--storage.tsdb.path=%s", data);
		snprintf(listen_arg, sizeof(listen_arg), "--web.listen-address=%s", listen);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execl(PROMETHEUS_BIN, PROMETHEUS_BIN, cfg_arg, data_arg, listen_arg,
		      "--log.level=warn", (char *)NULL);
		_exit(127);
	}
	if (!ASSERT_GT(p->pid, 0, "fork Prometheus")) {
		p->pid = 0;
		prometheus_stop(p);
		return false;
	}
	for (i = 0; i < 300; i++) {
		status = http_get(p->port, "/-/ready", &body, 1000);
		free(body);
		if (status == 200)
			return true;
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = 0;
			break;
		}
		msleep(100);
	}
	ASSERT_TRUE(false, "Prometheus is ready within 30 s");
	prometheus_stop(p);
	return false;
}

/* @s with everything but unreserved characters %-escaped, into @out. */
static void url_encode(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s && n + 4 < size; s++) {
		unsigned char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c)) {
			out[n++] = c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = 0;
}

int prometheus_query(const struct prometheus *p, const char *promql, double at, double *value)
{
	char path[4096], q[3072], *body = NULL, *v, *end;
	int status;

	url_encode(promql, q, sizeof(q));
	if (at > 0)
		snprintf(path, sizeof(path), "/api/v1/query?query=%s&time=%.3f", q, at);
	else
		snprintf(path, sizeof(path), "/api/v1/query?query=%s", q);
	status = http_get(p->port, path, &body, 10000);
	if (status != 200 || !body || !strstr(body, "\"status\":\"success\"")) {
		diag("query %s: status %d: %s", promql, status, body ?: "");
		free(body);
		return status < 0 ? status : -EPROTO;
	}
	/* {"status":"success","data":{"resultType":"vector","result":[{"metric":{...},"value":[T,"V"]}]}} */
	v = strstr(body, "\"value\":[");
	if (!v) {
		status = strstr(body, "\"result\":[]") ? -ENOENT : -EPROTO;
		free(body);
		return status;
	}
	v = strchr(v, ',');
	if (!v || v[1] != '"') {
		free(body);
		return -EPROTO;
	}
	*value = strtod(v + 2, &end);
	status = *end == '"' ? 0 : -EPROTO;
	free(body);
	return status;
}

double prometheus_scraped_after(const struct prometheus *p, double after_s, int timeout_ms)
{
	double t;

	for (; timeout_ms > 0; timeout_ms -= 200) {
		if (!prometheus_query(p, "timestamp(up{job=\"reapertrace\"} == 1)", 0, &t) &&
		    t > after_s)
			return t;
		msleep(200);
	}
	return 0;
}

void prometheus_stop(struct prometheus *p)
{
	char cmd[128];
	int status;

	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		if (wait_pid_timeout(p->pid, &status, 20000)) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
		}
		p->pid = 0;
	}
	if (p->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->dir);
		if (system(cmd))
			diag("could not remove %s", p->dir);
		p->dir[0] = 0;
	}
}
