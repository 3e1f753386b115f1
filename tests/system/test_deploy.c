// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The deployment shapes of deploy/: the alerting rules under promtool, the
 * systemd unit as `make install` writes it under systemd-analyze (verify,
 * and its exposure score), the tracer run with only the capabilities the
 * unit leaves it, which must still trace a scenario exactly and serve its
 * metrics, and the DaemonSet manifest against the Kubernetes API models.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "http.h"
#include "prometheus.h"
#include "tracer.h"

#define SYSTEMD_ANALYZE "/usr/bin/systemd-analyze"
#define CAPSH		"/usr/sbin/capsh"
/* systemd-analyze security: at most "OK" (it calls 2.0-4.9 OK, below 2 SAFE). */
#define MAX_EXPOSURE 3.0

/* Runs @cmd through sh, its output into @out (@size bytes). Its exit status, or -1. */
static int run(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int status;

	if (out)
		out[0] = 0;
	if (!p)
		return -1;
	if (out) {
		n = fread(out, 1, size - 1, p);
		out[n] = 0;
	} else {
		char buf[4096];

		while (fread(buf, 1, sizeof(buf), p) > 0)
			;
	}
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(deploy_alert_rules_pass_promtool)
{
	char cmd[1024], out[8192];

	if (access(PROMTOOL_BIN, X_OK))
		SKIP("%s is not installed (scripts/deps.sh installs Debian's prometheus)",
		     PROMTOOL_BIN);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/deploy/prometheus' && %s check rules reapertrace.rules.yml 2>&1",
		 repo_root(), PROMTOOL_BIN);
	if (!ASSERT_EQ(run(cmd, out, sizeof(out)), 0, "promtool check rules"))
		diag("%s", out);
	ASSERT_TRUE(strstr(out, "SUCCESS: 3 rules found"), "its three rules");
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/deploy/prometheus' && %s test rules reapertrace.rules.test.yml 2>&1",
		 repo_root(), PROMTOOL_BIN);
	if (!ASSERT_EQ(run(cmd, out, sizeof(out)), 0, "promtool test rules: its own tests pass"))
		diag("%s", out);
}

/* `make install` into a temporary PREFIX: the unit as it would be installed. */
static bool installed(char *dir, size_t size)
{
	char cmd[1024], out[8192];

	snprintf(dir, size, "/tmp/rt-install-XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(dir), "a directory to install into")) {
		dir[0] = 0;
		return false;
	}
	snprintf(cmd, sizeof(cmd),
		 "make -s -C '%s' install PREFIX='%s/usr' SYSCONFDIR='%s/etc' 2>&1", repo_root(),
		 dir, dir);
	if (!ASSERT_EQ(run(cmd, out, sizeof(out)), 0, "make install")) {
		diag("%s", out);
		return false;
	}
	return true;
}

static void uninstall(const char *dir)
{
	char cmd[256];

	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		diag("could not remove %s", dir);
}

TEST(deploy_service_verifies)
{
	char dir[64] = "", cmd[1024], out[16384], unit[256], def[256];
	const char *level;
	struct stat st;
	double score = 99;

	if (access(SYSTEMD_ANALYZE, X_OK))
		SKIP("%s is not installed (Debian's systemd)", SYSTEMD_ANALYZE);
	if (!installed(dir, sizeof(dir)))
		goto out;
	snprintf(unit, sizeof(unit), "%s/usr/lib/systemd/system/reapertrace.service", dir);
	snprintf(def, sizeof(def), "%s/etc/default/reapertrace", dir);
	ASSERT_OK(stat(def, &st), "make install writes the options file");
	/* Documentation=man:reapertrace(8): the page this install put in place. */
	snprintf(cmd, sizeof(cmd), "MANPATH='%s/usr/share/man' %s verify '%s' 2>&1", dir,
		 SYSTEMD_ANALYZE, unit);
	if (!ASSERT_EQ(run(cmd, out, sizeof(out)), 0, "systemd-analyze verify"))
		diag("%s", out);
	ASSERT_STREQ(out, "", "and it has nothing to say");
	snprintf(cmd, sizeof(cmd), "%s security --offline=yes '%s' 2>&1", SYSTEMD_ANALYZE, unit);
	run(cmd, out, sizeof(out));
	level = strstr(out, "Overall exposure level for reapertrace.service: ");
	if (level)
		score = strtod(level + strlen("Overall exposure level for reapertrace.service: "),
			       NULL);
	diag("systemd-analyze security: exposure %.1f", score);
	ASSERT_LE(score, MAX_EXPOSURE, "hardened: exposure at most 3.0");
out:
	uninstall(dir);
}

/* The unit's CapabilityBoundingSet, as capsh names them ("cap_bpf,cap_perfmon,..."). */
static bool unit_caps(char *caps, size_t size)
{
	char path[512], line[512], *w, *save = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/deploy/systemd/reapertrace.service.in", repo_root());
	f = fopen(path, "re");
	if (!f)
		return false;
	caps[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "CapabilityBoundingSet=", 22))
			continue;
		for (w = strtok_r(line + 22, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
			char *c;

			n += snprintf(caps + n, size - n, "%s", n ? "," : "");
			for (c = w; *c && n + 1 < size; c++)
				caps[n++] = *c >= 'A' && *c <= 'Z' ? *c + 32 : *c;
			caps[n] = 0;
		}
	}
	fclose(f);
	return caps[0];
}

/*
 * Everything in our bounding set but @keep, comma-separated: what capsh
 * --drop takes away.
 */
static bool caps_to_drop(const char *keep, char *drop, size_t size)
{
	char out[4096], *set, *w, *save = NULL;
	size_t n = 0;

	if (run(CAPSH " --print", out, sizeof(out)) != 0)
		return false;
	set = strstr(out, "Bounding set =");
	if (!set)
		return false;
	set += strlen("Bounding set =");
	set[strcspn(set, "\n")] = 0;
	drop[0] = 0;
	for (w = strtok_r(set, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char word[64];

		snprintf(word, sizeof(word), ",%s,", w);
		if (strstr(keep, word))
			continue;
		n += snprintf(drop + n, size - n, "%s%s", n ? "," : "", w);
	}
	return true;
}

/*
 * The tracer with only the unit's capabilities (capsh --drop, root still):
 * a scenario's every event, exactly, and its metrics served.
 */
TEST(deploy_service_capabilities_suffice)
{
	static const char *const opts[] = { "--json", "--metrics", "127.0.0.1:0", NULL };
	char caps[256], keep[300], drop[2048], wrapper[] = "/tmp/rt-capsh-XXXXXX", *body = NULL;
	char tracer[PATH_MAX], *saved_bin = NULL;
	struct check_opts co = { .max_phase = 1 };
	struct sc_run run_ = {};
	struct tracer tr = {};
	unsigned int port = 0;
	FILE *f;
	int fd = -1;

	if (access(CAPSH, X_OK))
		SKIP("%s is not installed (libcap2-bin)", CAPSH);
	if (!ASSERT_TRUE(unit_caps(caps, sizeof(caps)), "the unit's CapabilityBoundingSet"))
		return;
	snprintf(keep, sizeof(keep), ",%s,", caps);
	if (!ASSERT_TRUE(caps_to_drop(keep, drop, sizeof(drop)), "capsh --print"))
		return;
	diag("keeping %s", caps);
	fd = mkstemp(wrapper);
	if (!ASSERT_GE(fd, 0, "a wrapper script"))
		return;
	f = fdopen(fd, "w");
	/* The tracer the suite runs (RT_BIN, or build/), under capsh. */
	snprintf(tracer, sizeof(tracer), "%s", tracer_bin());
	if (getenv("RT_BIN"))
		saved_bin = strdup(getenv("RT_BIN"));
	fprintf(f, "#!/bin/sh\nexec %s --drop=%s -- -c 'exec \"$0\" \"$@\"' '%s' \"$@\"\n", CAPSH,
		drop, tracer);
	fclose(f);
	chmod(wrapper, 0700);
	setenv("RT_BIN", wrapper, 1);
	if (!scenario_started(&run_, "orphan_subreaper"))
		goto out;
	if (!tracer_start(&tr, opts))
		goto out;
	port = tracer_metrics_port(&tr);
	if (!ASSERT_GT(port, 0, "it serves metrics"))
		goto out;
	if (!ASSERT_EQ(sc_go(&run_), 0, "go") || !ASSERT_EQ(sc_wait_hold(&run_), 0, "hold") ||
	    !ASSERT_EQ(sc_continue(&run_), 0, "go on") ||
	    !ASSERT_EQ(sc_finish(&run_), 0, "the scenario ran as designed")) {
		diag("%s", run_.truth->error);
		goto out;
	}
	ASSERT_EQ(http_get(port, "/metrics", &body, 5000), 200, "GET /metrics");
	ASSERT_TRUE(body && strstr(body, "reapertrace_reparents_total{kind=\"subreaper\"}"),
		    "the page");
	if (!tracer_stop(&tr, NULL, NULL))
		goto out;
	check_events(&tr.doc, run_.truth, &co, &tr);
out:
	if (saved_bin)
		setenv("RT_BIN", saved_bin, 1);
	else
		unsetenv("RT_BIN");
	free(saved_bin);
	unlink(wrapper);
	free(body);
	tracer_free(&tr);
	sc_release(&run_);
}

#define CHECK_K8S "scripts/check-k8s-manifest.py"

/*
 * The DaemonSet manifest, field by field against the Kubernetes API models
 * (scripts/check-k8s-manifest.py, python3-kubernetes): valid; and the
 * check itself refuses a misspelt field and a wrong type.
 */
TEST(deploy_daemonset_validates)
{
	char cmd[1024], out[4096], bad[] = "/tmp/rt-k8s-XXXXXX";
	int fd;

	if (run("/usr/bin/python3 -c 'import kubernetes, yaml' 2>&1", out, sizeof(out)))
		SKIP("python3-kubernetes is not installed (scripts/deps.sh installs it)");
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && " CHECK_K8S " deploy/kubernetes/reapertrace-daemonset.yaml 2>&1",
		 repo_root());
	if (!ASSERT_EQ(run(cmd, out, sizeof(out)), 0, "the DaemonSet manifest is valid"))
		diag("%s", out);
	ASSERT_TRUE(strstr(out, "DaemonSet reapertrace: valid"), "the DaemonSet was checked");
	ASSERT_TRUE(strstr(out, "Namespace reapertrace: valid"), "its namespace too");
	fd = mkstemp(bad);
	if (!ASSERT_GE(fd, 0, "a temporary file"))
		return;
	close(fd);
	snprintf(
		cmd, sizeof(cmd),
		"cd '%s' && sed 's/hostPID: true/hostPid: true/' deploy/kubernetes/reapertrace-daemonset.yaml > %s && " CHECK_K8S
		" %s 2>&1",
		repo_root(), bad, bad);
	ASSERT_EQ(run(cmd, out, sizeof(out)), 1, "a misspelt field is refused");
	ASSERT_TRUE(strstr(out, "'hostPid' is not a field of V1PodSpec"), out);
	snprintf(
		cmd, sizeof(cmd),
		"cd '%s' && sed 's/containerPort: 9469/containerPort: \"9469\"/' deploy/kubernetes/reapertrace-daemonset.yaml > %s && " CHECK_K8S
		" %s 2>&1",
		repo_root(), bad, bad);
	ASSERT_EQ(run(cmd, out, sizeof(out)), 1, "a string for a port number is refused");
	ASSERT_TRUE(strstr(out, "an integer expected"), out);
	unlink(bad);
}
