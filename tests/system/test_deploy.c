// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The deployment shapes of deploy/: the alerting rules under promtool, the
 * systemd unit as `make install` writes it under systemd-analyze (verify,
 * and its exposure score), the tracer run with only the capabilities the
 * unit leaves it, which must still trace a scenario exactly and serve its
 * metrics, the DaemonSet manifest against the Kubernetes API models, and
 * the container image under a real dockerd, run as the DaemonSet runs it.
 */
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "docker.h"
#include "harness.h"
#include "http.h"
#include "kfeatures.h"
#include "proc.h"
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

/* The value of the unit's @key= line, without its newline; false if it has none. */
static bool unit_setting(const char *key, char *value, size_t size)
{
	char path[512], line[512];
	size_t len = strlen(key);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/deploy/systemd/reapertrace.service.in", repo_root());
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, len) || line[len] != '=')
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(value, size, "%s", line + len + 1);
		found = true;
	}
	fclose(f);
	return found;
}

/* The unit's CapabilityBoundingSet, as capsh names them ("cap_bpf,cap_perfmon,..."). */
static bool unit_caps(char *caps, size_t size)
{
	char line[512], *w, *save = NULL;
	size_t n = 0;

	if (!unit_setting("CapabilityBoundingSet", line, sizeof(line)))
		return false;
	caps[0] = 0;
	for (w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *c;

		n += snprintf(caps + n, size - n, "%s", n ? "," : "");
		for (c = w; *c && n + 1 < size; c++)
			caps[n++] = *c >= 'A' && *c <= 'Z' ? *c + 32 : *c;
		caps[n] = 0;
	}
	return caps[0];
}

/*
 * Whether the unit says LimitMEMLOCK=infinity, which ulimit -l calls
 * "unlimited": before 5.11 the kernel charges BPF maps to that limit, and
 * without CAP_SYS_RESOURCE the tracer cannot raise it itself. Another
 * value needs this test taught its syntax.
 */
static bool unit_memlock_unlimited(void)
{
	char v[64];

	return unit_setting("LimitMEMLOCK", v, sizeof(v)) && !strcmp(v, "infinity");
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
 * RT_BIN becomes @path (a mkstemp() template), a shell script whose body
 * (after "#!/bin/sh") is @fmt: tracer_start() runs it with the tracer's
 * options. The previous RT_BIN goes into *@saved for unwrap_tracer().
 */
static bool __attribute__((format(printf, 3, 4)))
wrap_tracer(char *path, char **saved, const char *fmt, ...)
{
	va_list ap;
	FILE *f = NULL;
	int fd;

	*saved = NULL;
	fd = mkstemp(path);
	if (!ASSERT_GE(fd, 0, "a wrapper script"))
		return false;
	f = fdopen(fd, "w");
	if (!ASSERT_TRUE(f, "fdopen")) {
		close(fd);
		goto fail;
	}
	fprintf(f, "#!/bin/sh\n");
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (!ASSERT_OK(fclose(f), "the wrapper script written") ||
	    !ASSERT_OK(chmod(path, 0700), "chmod the wrapper"))
		goto fail;
	*saved = getenv("RT_BIN") ? strdup(getenv("RT_BIN")) : NULL;
	setenv("RT_BIN", path, 1);
	return true;
fail:
	unlink(path);
	return false;
}

/* After a wrap_tracer() that returned true: RT_BIN back to @saved (freed), the wrapper removed. */
static void unwrap_tracer(const char *path, char *saved)
{
	if (saved)
		setenv("RT_BIN", saved, 1);
	else
		unsetenv("RT_BIN");
	free(saved);
	unlink(path);
}

/*
 * RT_BIN (a wrapper) traces orphan_subreaper with --json and --metrics:
 * every event of it exactly, and the page served. @running, if not NULL,
 * looks at the tracer (@arg) while it runs.
 */
static void trace_served(void (*running)(void *arg), void *arg)
{
	static const char *const opts[] = { "--json", "--metrics", "127.0.0.1:0", NULL };
	struct check_opts co = { .max_phase = 1 };
	struct sc_run run_ = {};
	struct tracer tr = {};
	unsigned int port;
	char *body = NULL;

	if (!scenario_started(&run_, "orphan_subreaper"))
		goto out;
	if (!tracer_start(&tr, opts))
		goto out;
	if (running)
		running(arg);
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
	free(body);
	tracer_free(&tr);
	sc_release(&run_);
}

/*
 * What capsh --drop takes away to leave the unit's CapabilityBoundingSet,
 * which goes into @caps as capsh names it (asserted).
 */
static bool unit_drop(char *caps, size_t caps_size, char *drop, size_t drop_size)
{
	char keep[300];

	if (!ASSERT_TRUE(unit_caps(caps, caps_size), "the unit's CapabilityBoundingSet"))
		return false;
	snprintf(keep, sizeof(keep), ",%s,", caps);
	return ASSERT_TRUE(caps_to_drop(keep, drop, drop_size), "capsh --print");
}

/*
 * The tracer with only the unit's capabilities (capsh --drop, root still)
 * and its LimitMEMLOCK (which systemd sets before it drops them): a
 * scenario's every event, exactly, and its metrics served.
 */
TEST(deploy_service_capabilities_suffice)
{
	char caps[256], drop[2048], wrapper[] = "/tmp/rt-capsh-XXXXXX";
	char *saved_bin = NULL;

	if (access(CAPSH, X_OK))
		SKIP("%s is not installed (libcap2-bin)", CAPSH);
	if (!unit_drop(caps, sizeof(caps), drop, sizeof(drop)) ||
	    !ASSERT_TRUE(unit_memlock_unlimited(), "the unit's LimitMEMLOCK=infinity"))
		return;
	diag("keeping %s, RLIMIT_MEMLOCK unlimited", caps);
	/*
	 * The tracer the suite runs (RT_BIN, or build/), under capsh. Where
	 * even root may not raise the limit (no CAP_SYS_RESOURCE, as on the
	 * development host), the tracer runs with the limit it has.
	 */
	if (!wrap_tracer(
		    wrapper, &saved_bin,
		    "ulimit -l unlimited 2>/dev/null; exec %s --drop=%s -- -c 'exec \"$0\" \"$@\"' '%s' \"$@\"\n",
		    CAPSH, drop, tracer_bin()))
		return;
	trace_served(NULL, NULL);
	unwrap_tracer(wrapper, saved_bin);
}

/*
 * Why the unit sets LimitMEMLOCK: on a kernel that charges BPF memory to
 * RLIMIT_MEMLOCK (before 5.11), the tracer with the unit's capabilities
 * (no CAP_SYS_RESOURCE: it cannot raise the limit) and the usual 64 KiB
 * fails, and its error line says why and what to do.
 */
TEST(deploy_service_memlock_said)
{
	char caps[256], drop[2048], cmd[4096], out[8192];
	int version = kernel_version();

	if (version >= 5011)
		SKIP("kernel %d.%d charges BPF memory to the memory cgroup, not RLIMIT_MEMLOCK",
		     version / 1000, version % 1000);
	if (access(CAPSH, X_OK))
		SKIP("%s is not installed (libcap2-bin)", CAPSH);
	if (!unit_drop(caps, sizeof(caps), drop, sizeof(drop)))
		return;
	snprintf(
		cmd, sizeof(cmd),
		"ulimit -l 64 && exec %s --drop=%s -- -c 'exec \"$0\" -d 1 >/dev/null' '%s' 2>&1 </dev/null",
		CAPSH, drop, tracer_bin());
	ASSERT_EQ(run(cmd, out, sizeof(out)), 1, "the tracer fails to load");
	if (!ASSERT_TRUE(strstr(out, "reapertrace: failed to load BPF programs: Operation not "
				     "permitted; this kernel counts BPF memory against "
				     "RLIMIT_MEMLOCK (64 KiB here), and raising it takes "
				     "CAP_SYS_RESOURCE: raise it first (ulimit -l unlimited; "
				     "LimitMEMLOCK=infinity in a systemd unit)\n"),
			 "the limit and its fix said"))
		diag("%s", out);
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

#define IMAGE_BUILD    "deploy/image/build.sh"
#define IMAGE_TRACER   "rt-image-tracer"
#define DAEMONSET      "deploy/kubernetes/reapertrace-daemonset.yaml"
#define IMAGE_BUILD_MS 600000 /* the first build makes the Debian root (30 s here) */

/*
 * From the DaemonSet: the image it names (after "image: ") into @image, and
 * the capabilities it adds as docker's --cap-add options into @caps.
 */
static bool daemonset_image_caps(char *image, size_t isize, char *caps, size_t csize)
{
	char path[512], line[512];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" DAEMONSET, repo_root());
	f = fopen(path, "re");
	if (!f)
		return false;
	image[0] = caps[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		char *v = line + strspn(line, " "), *w, *save = NULL;

		if (!strncmp(v, "image: ", 7)) {
			snprintf(image, isize, "%.*s", (int)strcspn(v + 7, " \n"), v + 7);
			continue;
		}
		if (strncmp(v, "add: [", 6))
			continue;
		for (w = strtok_r(v + 6, "\", ]\n", &save); w; w = strtok_r(NULL, "\", ]\n", &save))
			n += snprintf(caps + n, csize - n, " --cap-add=%s", w);
	}
	fclose(f);
	return image[0] && caps[0];
}

/*
 * @caps (docker's --cap-add options), or what stands for them where this
 * dockerd does not know a capability: Debian 12's dockerd (20.10) knows
 * none past CAP_AUDIT_READ, so neither CAP_BPF nor CAP_PERFMON (Linux 5.8),
 * and refuses them ("unknown capability"). There CAP_SYS_ADMIN stands for
 * both, as on kernels before 5.8: the kernel's bpf_capable() and
 * perfmon_capable() accept it. A run of the image's /bin/true tells.
 */
static bool docker_caps(struct docker *d, const char *image, const char *caps, char *use,
			size_t size)
{
	char cmd[1024], out[1024], *w, *save = NULL;
	size_t n = 0;
	int rc;

	snprintf(
		cmd, sizeof(cmd),
		"exec \"$DOCKER\" run --rm --network=none --cap-drop=ALL %s --entrypoint=/bin/true %s",
		caps, image);
	rc = docker_tool(d, out, sizeof(out), 60000,
			 (const char *const[]){ "/bin/sh", "-c", cmd, NULL });
	if (rc == 0) {
		snprintf(use, size, "%s", caps);
		return true;
	}
	if (!strstr(out, "unknown capability")) {
		diag("%s", out);
		return false;
	}
	diag("this dockerd refuses the DaemonSet's capabilities: %s", out);
	snprintf(cmd, sizeof(cmd), "%s", caps);
	use[0] = 0;
	for (w = strtok_r(cmd, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strcmp(w, "--cap-add=BPF") || !strcmp(w, "--cap-add=PERFMON"))
			w = "--cap-add=SYS_ADMIN";
		if (!strstr(use, w))
			n += snprintf(use + n, size - n, " %s", w);
	}
	diag("so it runs with%s", use);
	return true;
}

/* /proc/PID/status's CapEff, or ~0 if unreadable. */
static unsigned long long cap_eff(pid_t pid)
{
	char path[64], line[256];
	unsigned long long caps = ~0ULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return caps;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

/* What check_contained() looks at. */
struct contained {
	struct docker *d;
	const char *caps;     /* " --cap-add=NAME..." (NAME with or without CAP_), drops too */
	const char *pid_file; /* the file ctr --pid-file writes, or NULL: docker inspect */
};

/* The containerized tracer's pid (in the host's PID namespace), or 0. */
static pid_t contained_pid(const struct contained *c)
{
	char out[512] = "";
	int waited;

	if (!c->pid_file) {
		if (!ASSERT_EQ(docker_cmd(c->d, out, sizeof(out), 30000,
					  (const char *const[]){ "inspect", "-f", "{{.State.Pid}}",
								 IMAGE_TRACER, NULL }),
			       0, "docker inspect the tracer's container"))
			return 0;
		return atoi(out);
	}
	for (waited = 0; waited < 5000; waited += 50) {
		FILE *f = fopen(c->pid_file, "re");
		int pid = 0;

		if (f && fscanf(f, "%d", &pid) == 1 && pid > 0) {
			fclose(f);
			return pid;
		}
		if (f)
			fclose(f);
		msleep(50);
	}
	return 0;
}

/*
 * While the containerized tracer runs: it is the image's binary in its own
 * root, in the host's PID namespace, with exactly the capabilities it
 * was given (capsh --decode names them).
 */
static void check_contained(void *arg)
{
	const struct contained *c = arg;
	char out[512], want[512] = "", cmd[512], *w, *save = NULL;
	struct stat root, self;
	int given = 0, had = 0;
	pid_t pid = contained_pid(c);

	if (!ASSERT_GT(pid, 0, "the containerized tracer's pid"))
		return;
	ASSERT_EQ(proc_pidns(pid), proc_pidns(getpid()), "the host's PID namespace");
	ASSERT_OK(stat("/", &self), "stat /");
	snprintf(cmd, sizeof(cmd), "/proc/%d/root", pid);
	if (ASSERT_OK(stat(cmd, &root), "stat its root"))
		ASSERT_TRUE(root.st_ino != self.st_ino || root.st_dev != self.st_dev,
			    "its root is the image's, not the host's");
	snprintf(cmd, sizeof(cmd), "/proc/%d/root/usr/sbin/reapertrace", pid);
	ASSERT_OK(access(cmd, X_OK), "the image's /usr/sbin/reapertrace");
	/* " --cap-add=BPF --cap-add=CAP_PERFMON ..." -> ",cap_bpf,cap_perfmon,...," */
	snprintf(cmd, sizeof(cmd), "%s", c->caps);
	for (w = strtok_r(cmd, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		const char *name = w + strlen("--cap-add=");
		size_t n = strlen(want);

		if (strncmp(w, "--cap-add=", strlen("--cap-add=")))
			continue; /* ctr's --cap-drop= */
		given++;
		if (!strncmp(name, "CAP_", 4))
			name += 4;
		n += snprintf(want + n, sizeof(want) - n, "%scap_", n ? "" : ",");
		for (; *name && n + 2 < sizeof(want); name++)
			want[n++] = *name >= 'A' && *name <= 'Z' ? *name + 32 : *name;
		snprintf(want + n, sizeof(want) - n, ",");
	}
	/* "0x000000c000000004=cap_dac_read_search,cap_perfmon,cap_bpf" */
	snprintf(cmd, sizeof(cmd), CAPSH " --decode=%llx", cap_eff(pid));
	run(cmd, out, sizeof(out));
	out[strcspn(out, "\n")] = 0;
	diag("the tracer's CapEff: %s", out);
	for (w = strtok_r(strchr(out, '=') ? strchr(out, '=') + 1 : out, ",", &save); w;
	     w = strtok_r(NULL, ",", &save), had++) {
		char word[64];

		snprintf(word, sizeof(word), ",%s,", w);
		if (!ASSERT_TRUE(strstr(want, word), "each capability it has, it was given"))
			diag("%s is not among%s", w, c->caps);
	}
	ASSERT_EQ(had, given, "it has every capability it was given, no more");
}

/*
 * The DaemonSet's image and capabilities, and that image built by
 * deploy/image/build.sh into @d's dockerd (it prints the tag it built).
 */
static bool image_built(struct docker *d, char *image, size_t isize, char *caps, size_t csize)
{
	char out[8192], path[PATH_MAX];
	unsigned long long t0 = boottime_ns();
	const char *tag;
	int rc;

	if (!ASSERT_TRUE(daemonset_image_caps(image, isize, caps, csize),
			 "the DaemonSet's image and capabilities"))
		return false;
	snprintf(path, sizeof(path), "%s/" IMAGE_BUILD, repo_root());
	rc = docker_tool(d, out, sizeof(out), IMAGE_BUILD_MS,
			 (const char *const[]){ path, tracer_bin(), NULL });
	diag("%s: %.1f s", IMAGE_BUILD, (boottime_ns() - t0) / 1e9);
	if (!ASSERT_EQ(rc, 0, IMAGE_BUILD)) {
		diag("%s", out);
		return false;
	}
	tag = strrchr(out, '\n') ? strrchr(out, '\n') + 1 : out;
	return ASSERT_STREQ(tag, image, "it builds the image the DaemonSet names");
}

/* The image tests' common skips: what they need beyond Docker. */
#define SKIP_UNLESS_IMAGE_TOOLS()                                                          \
	do {                                                                               \
		if (access(CAPSH, X_OK))                                                   \
			SKIP("%s is not installed (libcap2-bin)", CAPSH);                  \
		if (access("/usr/bin/mmdebstrap", X_OK))                                   \
			SKIP("mmdebstrap is not installed (scripts/deps.sh installs it)"); \
	} while (0)

/*
 * The image deploy/image/build.sh makes, run under the real dockerd as the
 * DaemonSet runs it (the host's PID namespace and network, the DaemonSet's
 * capabilities only, tracefs and the cgroup tree read-only, a read-only
 * root): it reports a host scenario's every event exactly, and serves its
 * metrics.
 */
TEST(deploy_image_traces_the_host)
{
	char image[128], dcaps[256], caps[256], wrapper[] = "/tmp/rt-image-XXXXXX";
	char *saved_bin = NULL;
	struct docker d = {};

	SKIP_UNLESS_IMAGE_TOOLS();
	if (!docker_start(&d))
		goto out;
	if (!image_built(&d, image, sizeof(image), dcaps, sizeof(dcaps)))
		goto out;
	if (!ASSERT_TRUE(docker_caps(&d, image, dcaps, caps, sizeof(caps)),
			 "the image runs with the DaemonSet's capabilities, or their stand-in"))
		goto out;
	if (!wrap_tracer(wrapper, &saved_bin,
			 "DOCKER_CONFIG='%s/cli' exec " DOCKER_CLI
			 " --host '%s' run --rm --name " IMAGE_TRACER
			 " --pid=host --network=host --cgroupns=host --cgroup-parent='%s'"
			 " --read-only --cap-drop=ALL%s --security-opt seccomp=unconfined"
			 " --security-opt apparmor=unconfined"
			 " -v /sys/kernel/tracing:/sys/kernel/tracing:ro"
			 " -v /sys/fs/cgroup:/sys/fs/cgroup:ro"
			 " -e REAPERTRACE_PATHS '%s' \"$@\"\n",
			 d.dir, d.host, d.cgroup_parent, caps, image))
		goto out;
	trace_served(check_contained, &(struct contained){ .d = &d, .caps = caps });
	unwrap_tracer(wrapper, saved_bin);
out:
	if (docker_stop(&d) && d.t_ready_ns)
		docker_nothing_left(0);
}

#define CTR	   "/usr/bin/ctr"
#define CTR_NS	   "rt"
#define CTR_TRACER "rt-ctr-tracer"

/* ctr --address SOCK --namespace rt ARGS...: its status, output into @out. */
static int ctr(struct docker *d, char *out, size_t len, const char *const *args)
{
	const char *argv[32] = { CTR, "--address", d->containerd_sock, "--namespace", CTR_NS };
	int n = 5;

	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	return docker_tool(d, out, len, 120000, argv);
}

/*
 * " --cap-add=BPF ..." as ctr takes them (" --cap-add=CAP_BPF ..."), and
 * every other capability of our bounding set dropped: ctr has no ALL.
 */
static bool ctr_caps(const char *dcaps, char *use, size_t size)
{
	char keep[512] = ",", drop[2048], copy[256], *w, *save = NULL;
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", dcaps);
	use[0] = 0;
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		const char *name = strchr(w, '=') + 1;
		size_t k = strlen(keep);

		n += snprintf(use + n, size - n, " --cap-add=CAP_%s", name);
		k += snprintf(keep + k, sizeof(keep) - k, "cap_");
		for (; *name && k + 2 < sizeof(keep); name++)
			keep[k++] = *name >= 'A' && *name <= 'Z' ? *name + 32 : *name;
		snprintf(keep + k, sizeof(keep) - k, ",");
	}
	if (!caps_to_drop(keep, drop, sizeof(drop)))
		return false;
	for (w = strtok_r(drop, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		n += snprintf(use + n, size - n, " --cap-drop=");
		for (; *w && n + 1 < size; w++)
			use[n++] = *w >= 'a' && *w <= 'z' ? *w - 32 : *w;
		use[n] = 0;
	}
	return n + 1 < size;
}

/*
 * The same image under containerd and runc, the runtime a Kubernetes node
 * runs a DaemonSet's pods with, with exactly the DaemonSet's capabilities
 * (CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH: no stand-in, containerd and
 * runc know them), the host's PID namespace and network, the same mounts
 * read-only and a read-only root; no seccomp or AppArmor profile, as the
 * DaemonSet says Unconfined. The image goes from dockerd to containerd by
 * docker save and ctr images import; ctr's FIFOs and runc's state go under
 * the test's docker directory, not /run/containerd.
 */
TEST(deploy_image_runs_with_the_daemonsets_capabilities)
{
	char image[128], dcaps[256], caps[4096], out[4096], path[PATH_MAX], ref[192];
	char wrapper[] = "/tmp/rt-ctr-XXXXXX", pid_file[PATH_MAX];
	char *saved_bin = NULL;
	struct docker d = {};
	int rc;

	SKIP_UNLESS_IMAGE_TOOLS();
	if (access(CTR, X_OK))
		SKIP("%s is not installed (Debian's containerd)", CTR);
	if (!docker_start(&d))
		goto out;
	if (!image_built(&d, image, sizeof(image), dcaps, sizeof(dcaps)))
		goto out;
	if (!ASSERT_TRUE(ctr_caps(dcaps, caps, sizeof(caps)), "ctr's capability options"))
		goto out;
	snprintf(path, sizeof(path), "%s/image.tar", d.dir);
	rc = docker_cmd(&d, out, sizeof(out), 120000,
			(const char *const[]){ "save", "-o", path, image, NULL });
	if (!ASSERT_EQ(rc, 0, "docker save")) {
		diag("%s", out);
		goto out;
	}
	rc = ctr(&d, out, sizeof(out), (const char *const[]){ "images", "import", path, NULL });
	if (!ASSERT_EQ(rc, 0, "ctr images import")) {
		diag("%s", out);
		goto out;
	}
	/* ctr names it as a registry would: docker.io/library/NAME:TAG. */
	snprintf(ref, sizeof(ref), "docker.io/library/%s", image);
	snprintf(pid_file, sizeof(pid_file), "%s/ctr-tracer.pid", d.dir);
	if (!wrap_tracer(
		    wrapper, &saved_bin,
		    "exec " CTR " --address '%s' --namespace " CTR_NS
		    " run --rm --pid-file '%s' --fifo-dir '%s/ctr-fifo' --runc-root '%s/ctr-runc'"
		    " --with-ns \"pid:/proc/$$/ns/pid\" --net-host"
		    " --read-only --cgroup '%s/" CTR_TRACER "'%s"
		    " --mount type=bind,src=/sys/kernel/tracing,dst=/sys/kernel/tracing,"
		    "options=rbind:ro"
		    " --mount type=bind,src=/sys/fs/cgroup,dst=/sys/fs/cgroup,options=rbind:ro"
		    " ${REAPERTRACE_PATHS:+--env REAPERTRACE_PATHS=$REAPERTRACE_PATHS}"
		    " '%s' " CTR_TRACER " /usr/sbin/reapertrace \"$@\"\n",
		    d.containerd_sock, pid_file, d.dir, d.dir, d.cgroup_parent, caps, ref))
		goto out;
	trace_served(check_contained,
		     &(struct contained){ .d = &d, .caps = caps, .pid_file = pid_file });
	unwrap_tracer(wrapper, saved_bin);
out:
	/* After a failure: the task and container that ctr run --rm did not remove. */
	if (d.t_ready_ns) {
		ctr(&d, NULL, 0, (const char *const[]){ "tasks", "rm", "-f", CTR_TRACER, NULL });
		ctr(&d, NULL, 0, (const char *const[]){ "containers", "rm", CTR_TRACER, NULL });
	}
	if (docker_stop(&d) && d.t_ready_ns)
		docker_nothing_left(0);
}
