// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A private Docker for one test: see docker.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "docker.h"
#include "harness.h"
#include "scenarios.h"

#define RUNC_PATHS	   "/usr/sbin/runc"
#define READY_TIMEOUT_MS   (60 * 1000)
#define DOCKERD_STOP_MS	   (30 * 1000)
#define CONTAINERD_STOP_MS (10 * 1000)
#define KEEPER_STOP_MS	   (90 * 1000)
/* What the daemons and the client get for an environment: nothing else. */
#define ENV_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

/* K's exit status: bits for what it had to force. */
#define K_KILLED_DOCKERD    1
#define K_KILLED_CONTAINERD 2
#define K_KILLED_LEFTOVERS  4
#define K_REAP_TIMEOUT	    8
#define K_START_FAILED	    16

static int write_text(const char *path, const char *fmt, ...)
{
	va_list ap;
	FILE *f = fopen(path, "we");
	int err = 0;

	if (!f)
		return -errno;
	va_start(ap, fmt);
	if (vfprintf(f, fmt, ap) < 0)
		err = -EIO;
	va_end(ap);
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) ? -errno : 0;
	return unlink(path) ? -errno : 0;
}

/*
 * rm -rf; 0 or -errno of the first failure. Call it with nothing mounted
 * below: FTW_MOUNT cannot tell a mount, since overlayfs (a VM guest's /tmp)
 * gives files another st_dev than their directory.
 */
static int rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) && errno == ENOENT)
		return 0;
	return nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS);
}

/* /proc/self/mountinfo's mount points (octal escapes decoded), in order. */
static int mount_points(char ***out)
{
	char line[4096], **v = NULL;
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char mp[4096], *s, *o;
		char **nv;

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		for (s = o = mp; *s; s++, o++) {
			if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
				*o = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
				s += 3;
			} else {
				*o = *s;
			}
		}
		*o = 0;
		nv = realloc(v, sizeof(*v) * (n + 1));
		if (!nv)
			break;
		v = nv;
		v[n++] = strdup(mp);
	}
	fclose(f);
	*out = v;
	return n;
}

static bool under(const char *path, const char *dir)
{
	size_t l = strlen(dir);

	return l && !strncmp(path, dir, l) && (path[l] == '/' || !path[l]);
}

/* Mounts at or under dir: counted, shown, and detached if umount. */
static int mounts_under(const char *dir, bool umount)
{
	char **mp = NULL, host_netns[PATH_MAX];
	int n = mount_points(&mp), i, found = 0;

	/*
	 * dockerd's handle on the host's network namespace, bound there for the
	 * first --network=host container and left there when dockerd exits
	 * (as a system dockerd leaves /run/docker/netns/default): not a leak
	 * of a test's, but ours to undo.
	 */
	snprintf(host_netns, sizeof(host_netns), "%s/exec/netns/default", dir);
	for (i = n - 1; i >= 0; i--) {
		if (umount && !strcmp(mp[i], host_netns)) {
			umount2(mp[i], MNT_DETACH);
		} else if (under(mp[i], dir)) {
			found++;
			if (umount) {
				diag("docker: mount left: %s (detached)", mp[i]);
				umount2(mp[i], MNT_DETACH);
			}
		}
		free(mp[i]);
	}
	free(mp);
	return found;
}

/* Every cgroup hierarchy's mount point (v1 and v2). */
static int cgroup_mounts(char ***out)
{
	char line[4096], **v = NULL;
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char mp[4096], fstype[64], *dash = strstr(line, " - ");
		char **nv;

		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(dash + 3, "%63s", fstype) != 1)
			continue;
		if (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2"))
			continue;
		nv = realloc(v, sizeof(*v) * (n + 1));
		if (!nv)
			break;
		v = nv;
		v[n++] = strdup(mp);
	}
	fclose(f);
	*out = v;
	return n;
}

/* rmdir of base/docker/<each>, base/docker, base/daemons, base in
 * every hierarchy; the number of container cgroups that were left. */
static int remove_cgroups(const char *rel, bool *ok)
{
	char **mnt = NULL, path[PATH_MAX];
	int n = cgroup_mounts(&mnt), i, left = 0;

	for (i = 0; i < n; i++) {
		DIR *dir;
		struct dirent *de;

		snprintf(path, sizeof(path), "%s%s/docker", mnt[i], rel);
		dir = opendir(path);
		while (dir && (de = readdir(dir))) {
			char sub[PATH_MAX + 300];

			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			diag("docker: container cgroup left: %s", sub);
			left++;
			rmdir(sub);
		}
		if (dir)
			closedir(dir);
		rmdir(path);
		snprintf(path, sizeof(path), "%s%s/daemons", mnt[i], rel);
		rmdir(path);
		snprintf(path, sizeof(path), "%s%s", mnt[i], rel);
		if (rmdir(path) && errno != ENOENT) {
			diag("docker: cannot remove cgroup %s: %s", path, strerror(errno));
			*ok = false;
		}
		free(mnt[i]);
	}
	free(mnt);
	return left;
}

static bool alive(pid_t pid)
{
	struct proc_entry e;

	return pid > 0 && proc_stat(pid, &e) == 0 && e.state != 'Z' && e.state != 'X';
}

/* ---- the keeper ---- */

static volatile sig_atomic_t keeper_stop;

static void on_term(int sig)
{
	(void)sig;
	keeper_stop = 1;
}

struct keeper_report {
	pid_t containerd;
	pid_t dockerd;
	int err; /* 0, or what failed before both ran */
};

static pid_t spawn_daemon(const struct docker *d, const char *log, const char *const *argv)
{
	char path[PATH_MAX], mark[PATH_MAX];
	const char *envp[] = { ENV_PATH, mark, NULL };
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", d->dir, log);
	/* Marks the daemons and what they start (/proc/PID/environ) as this test's. */
	snprintf(mark, sizeof(mark), "RT_DOCKER_DIR=%s", d->dir);
	pid = fork();
	if (pid == 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
		int in = open("/dev/null", O_RDONLY);
		sigset_t none;

		if (fd < 0 || in < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		/* If K is killed, they go too, rather than live on unreaped. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setsid();
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(argv[0], (char **)argv, (char **)envp);
		dprintf(2, "rt-tests: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Reaps what is ready; notes the exit of the two daemons. */
static void keeper_reap(struct keeper_report *r)
{
	pid_t p;

	while ((p = waitpid(-1, NULL, WNOHANG | __WALL)) > 0) {
		if (p == r->dockerd)
			r->dockerd = -r->dockerd;
		if (p == r->containerd)
			r->containerd = -r->containerd;
	}
}

/* Waits until *pid was reaped (it is negated), reaping everything. */
static bool keeper_wait(struct keeper_report *r, pid_t *pid, int timeout_ms)
{
	int waited;

	for (waited = 0; *pid > 0 && waited < timeout_ms; waited += 20) {
		keeper_reap(r);
		if (*pid > 0)
			msleep(20);
	}
	return *pid <= 0;
}

static int keeper_down(struct keeper_report *r)
{
	int flags = 0, rounds;
	pid_t self = getpid();

	if (r->dockerd > 0) {
		kill(r->dockerd, SIGTERM);
		if (!keeper_wait(r, &r->dockerd, DOCKERD_STOP_MS)) {
			diag("docker: dockerd still ran %d s after SIGTERM: killed",
			     DOCKERD_STOP_MS / 1000);
			kill(r->dockerd, SIGKILL);
			keeper_wait(r, &r->dockerd, 5000);
			flags |= K_KILLED_DOCKERD;
		}
	}
	if (r->containerd > 0) {
		kill(r->containerd, SIGTERM);
		if (!keeper_wait(r, &r->containerd, CONTAINERD_STOP_MS)) {
			diag("docker: containerd still ran %d s after SIGTERM: killed",
			     CONTAINERD_STOP_MS / 1000);
			kill(r->containerd, SIGKILL);
			keeper_wait(r, &r->containerd, 5000);
			flags |= K_KILLED_CONTAINERD;
		}
	}
	/*
	 * Anything still below K lives on without its daemons (a shim whose
	 * container was not removed, a container whose shim was killed): kill
	 * it. Zombies only need their reap. Rounds, since killing a shim makes
	 * its container K's.
	 */
	for (rounds = 0; rounds < 500; rounds++) {
		struct proc_entry *procs = NULL;
		int n = proc_descendants(self, &procs), i, live = 0;

		for (i = 0; i < n; i++) {
			if (procs[i].state == 'Z')
				continue;
			live++;
			diag("docker: left running below the keeper: pid %d ppid %d %c %s: killed",
			     procs[i].pid, procs[i].ppid, procs[i].state, procs[i].comm);
			kill(procs[i].pid, SIGKILL);
		}
		free(procs);
		if (live)
			flags |= K_KILLED_LEFTOVERS;
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		if (waitpid(-1, NULL, WNOHANG | __WALL) < 0 && errno == ECHILD)
			return flags;
		msleep(20);
	}
	diag("docker: children of the keeper still not reaped after 10 s");
	return flags | K_REAP_TIMEOUT;
}

static void keeper_main(struct docker *d, int ctl, int rep)
{
	char toml[PATH_MAX], json[PATH_MAX], sock[PATH_MAX], data[PATH_MAX], exec_root[PATH_MAX];
	char pidfile[PATH_MAX], cgparent[128], cgprocs[PATH_MAX];
	struct keeper_report r = {};
	struct sigaction sa = { .sa_handler = on_term };
	int waited;

	prctl(PR_SET_NAME, "rt-docker-keep");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (d->cgroup[0]) {
		snprintf(cgprocs, sizeof(cgprocs), "%s/daemons/cgroup.procs", d->cgroup);
		if (write_text(cgprocs, "0\n"))
			diag("docker: cannot join %s: %s", cgprocs, strerror(errno));
	}

	snprintf(toml, sizeof(toml), "%s/containerd.toml", d->dir);
	snprintf(json, sizeof(json), "%s/daemon.json", d->dir);
	snprintf(sock, sizeof(sock), "%s", d->containerd_sock);
	snprintf(data, sizeof(data), "--data-root=%s/data", d->dir);
	snprintf(exec_root, sizeof(exec_root), "--exec-root=%s/exec", d->dir);
	snprintf(pidfile, sizeof(pidfile), "--pidfile=%s/dockerd.pid", d->dir);
	snprintf(cgparent, sizeof(cgparent), "--cgroup-parent=%s", d->cgroup_parent);

	r.containerd =
		spawn_daemon(d, "containerd.log",
			     (const char *const[]){ DOCKER_CONTAINERD, "--config", toml, NULL });
	if (r.containerd < 0) {
		r.err = -errno;
		goto report;
	}
	/* dockerd would wait for it; waiting here tells a failure apart. */
	for (waited = 0; access(sock, F_OK); waited += 20) {
		keeper_reap(&r);
		if (r.containerd < 0 || waited > READY_TIMEOUT_MS || keeper_stop) {
			r.err = -ENOTCONN;
			goto report;
		}
		msleep(20);
	}
	{
		char containerd_opt[PATH_MAX + 16], host_opt[sizeof(d->host) + 8];
		char json_opt[PATH_MAX + 16];
		const char *argv[24];
		int n = 0;

		snprintf(containerd_opt, sizeof(containerd_opt), "--containerd=%s", sock);
		snprintf(host_opt, sizeof(host_opt), "--host=%s", d->host);
		snprintf(json_opt, sizeof(json_opt), "--config-file=%s", json);
		argv[n++] = DOCKER_DOCKERD;
		argv[n++] = json_opt;
		argv[n++] = containerd_opt;
		argv[n++] = data;
		argv[n++] = exec_root;
		argv[n++] = pidfile;
		argv[n++] = host_opt;
		/* No network of its own: nothing on the machine's tables, links, sysctls. */
		argv[n++] = "--iptables=false";
		argv[n++] = "--ip6tables=false";
		argv[n++] = "--ip-forward=false";
		argv[n++] = "--ip-masq=false";
		argv[n++] = "--bridge=none";
		argv[n++] = "--userland-proxy=false";
		if (d->cgroup_parent[0])
			argv[n++] = cgparent;
		argv[n] = NULL;
		r.dockerd = spawn_daemon(d, "dockerd.log", argv);
		if (r.dockerd < 0)
			r.err = -errno;
	}
report:
	if (write(rep, &r, sizeof(r)) != sizeof(r))
		keeper_stop = 1;
	close(rep);
	/* Until the test closes ctl (or dies: SIGTERM by PDEATHSIG). */
	while (!keeper_stop && !r.err) {
		struct pollfd p = { .fd = ctl, .events = POLLIN };
		char c;

		if (poll(&p, 1, 100) > 0 && read(ctl, &c, 1) <= 0)
			break;
		keeper_reap(&r);
	}
	_exit(keeper_down(&r) | (r.err ? K_START_FAILED : 0));
}

/* ---- the test's side ---- */

void docker_diag_log(const struct docker *d, const char *name, int n)
{
	char path[PATH_MAX], line[2048];
	char **ring = calloc(n, sizeof(*ring));
	int i = 0, total = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	f = fopen(path, "re");
	if (!f || !ring) {
		free(ring);
		if (f)
			fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		free(ring[total % n]);
		ring[total % n] = strdup(line);
		total++;
	}
	fclose(f);
	diag("last lines of %s:", path);
	for (i = total > n ? total - n : 0; i < total; i++) {
		diag("  %s", ring[i % n]);
		free(ring[i % n]);
	}
	free(ring);
}

/*
 * Why a daemon stopped, from its log: its last line that is an error
 * ("level=fatal", "level=error", "failed ..."; the message only), else its
 * last line.
 */
static void log_reason(const struct docker *d, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX], line[2048], last[2048] = "";
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	snprintf(buf, len, "no log %s", name);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *m = strstr(line, "msg=");
		const char *src = line;
		size_t l;

		line[strcspn(line, "\n")] = 0;
		if (!line[0])
			continue;
		if (strstr(line, "level=fatal") || strstr(line, "level=error") ||
		    !strncmp(line, "failed", 6)) {
			src = m ? m : line;
			found = true;
		} else if (found) {
			continue;
		}
		l = strlen(src) < sizeof(last) - 1 ? strlen(src) : sizeof(last) - 1;
		memcpy(last, src, l);
		last[l] = 0;
	}
	fclose(f);
	snprintf(buf, len, "%.*s", (int)(len - 1), last);
}

static int run_argv(const struct docker *d, const char *const *argv, char *out, size_t len,
		    int timeout_ms)
{
	char conf[PATH_MAX], host[sizeof(d->host) + 16];
	const char *envp[] = {
		ENV_PATH, conf, host, "DOCKER=" DOCKER_CLI, "HOME=/nonexistent", NULL,
	};
	int pfd[2], status = 0, waited = 0;
	size_t used = 0;
	bool eof = false;
	pid_t pid;

	snprintf(conf, sizeof(conf), "DOCKER_CONFIG=%s/cli", d->dir);
	snprintf(host, sizeof(host), "DOCKER_HOST=%s", d->host);
	if (out && len)
		out[0] = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);

		if (in < 0 || dup2(in, 0) < 0 || dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(127);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_DFL);
		execve(argv[0], (char **)argv, (char **)envp);
		dprintf(2, "exec %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	while (!eof && waited < timeout_ms) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (poll(&p, 1, 100) <= 0) {
			waited += 100;
			continue;
		}
		n = read(pfd[0], buf, sizeof(buf));
		if (n <= 0) {
			eof = true;
			break;
		}
		if (out && used + 1 < len) {
			size_t c = (size_t)n < len - 1 - used ? (size_t)n : len - 1 - used;

			memcpy(out + used, buf, c);
			used += c;
			out[used] = 0;
		}
	}
	close(pfd[0]);
	if (!eof) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 124;
	}
	if (wait_pid_timeout(pid, &status, timeout_ms > waited ? timeout_ms - waited : 1000)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 124;
	}
	while (out && used && out[used - 1] == '\n')
		out[--used] = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int docker_cmd(struct docker *d, char *out, size_t len, int timeout_ms, const char *const *args)
{
	const char *argv[64];
	int n = 0;

	argv[n++] = DOCKER_CLI;
	argv[n++] = "--host";
	argv[n++] = d->host;
	while (*args && n < 63)
		argv[n++] = *args++;
	argv[n] = NULL;
	return run_argv(d, argv, out, len, timeout_ms);
}

int docker_tool(struct docker *d, char *out, size_t len, int timeout_ms, const char *const *argv)
{
	return run_argv(d, argv, out, len, timeout_ms);
}

/*
 * What a test killed on its way left (rt-tests kills all below a test
 * that times out, the keeper too): directories /tmp/rt-docker-* whose
 * owner (the test process, DIR/owner) is gone, their mounts and cgroups.
 * Their processes were killed with the test.
 */
/*
 * The shim sockets of /run/containerd/s nobody listens on any more (a
 * killed shim's; a live one accepts), then the directories if empty.
 */
static void sweep_shim_sockets(void)
{
	DIR *dir = opendir("/run/containerd/s");
	struct dirent *de;

	while (dir && (de = readdir(dir))) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd;

		if (de->d_type != DT_SOCK || strlen(de->d_name) + 20 > sizeof(sa.sun_path))
			continue;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/run/containerd/s/%s", de->d_name);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno == ECONNREFUSED)
			unlink(sa.sun_path);
		close(fd);
	}
	if (dir)
		closedir(dir);
	rmdir("/run/containerd/s");
	rmdir("/run/containerd");
	rmdir("/run/docker/plugins");
	rmdir("/run/docker");
}

static void sweep_stale(void)
{
	DIR *tmp = opendir("/tmp");
	struct dirent *de;
	bool swept = false;

	while (tmp && (de = readdir(tmp))) {
		char dir[PATH_MAX / 4], path[PATH_MAX], comm[64] = "", rel[64];
		int owner = 0;
		FILE *f;

		if (strncmp(de->d_name, "rt-docker-", 10) || strlen(de->d_name) > 64)
			continue;
		snprintf(dir, sizeof(dir), "/tmp/%s", de->d_name);
		snprintf(path, sizeof(path), "%s/owner", dir);
		f = fopen(path, "re");
		if (!f || fscanf(f, "%d", &owner) != 1 || owner <= 0) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%d/comm", owner);
		f = fopen(path, "re");
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = 0;
			fclose(f);
		}
		if (!strncmp(comm, "rt-tests", 8))
			continue; /* a test running now */
		diag("docker: removing what a killed test (pid %d) left: %s", owner, dir);
		swept = true;
		mounts_under(dir, true);
		if (!mounts_under(dir, false))
			rm_rf(dir);
		snprintf(rel, sizeof(rel), "/rt-docker-%d", owner);
		{
			bool ignored = true;

			remove_cgroups(rel, &ignored);
		}
	}
	if (tmp)
		closedir(tmp);
	if (swept)
		sweep_shim_sockets();
}

static bool write_configs(struct docker *d)
{
	char path[PATH_MAX + 32];
	int err;

	snprintf(path, sizeof(path), "%s/containerd.toml", d->dir);
	/*
	 * Its own root, state and socket; no CRI (it would want a CNI
	 * network); /opt/containerd would be created on the machine.
	 */
	err = write_text(path,
			 "version = 2\n"
			 "root = \"%s/containerd/root\"\n"
			 "state = \"%s/containerd/state\"\n"
			 "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
			 "[grpc]\n"
			 "  address = \"%s/containerd/containerd.sock\"\n"
			 "[plugins.\"io.containerd.internal.v1.opt\"]\n"
			 "  path = \"%s/opt\"\n",
			 d->dir, d->dir, d->dir, d->dir);
	if (!ASSERT_EQ(err, 0, "write containerd.toml"))
		return false;
	snprintf(path, sizeof(path), "%s/daemon.json", d->dir);
	/* 20.10 writes its trust key to /etc/docker/key.json unless told. */
	err = write_text(path, "{\n  \"deprecated-key-path\": \"%s/key.json\"\n}\n", d->dir);
	return ASSERT_EQ(err, 0, "write daemon.json");
}

static void make_cgroups(struct docker *d)
{
	const char *mnt = cgroup2_mount();
	char path[PATH_MAX];

	if (!*mnt)
		return;
	snprintf(d->cgroup, sizeof(d->cgroup), "%s/rt-docker-%d", mnt, getpid());
	snprintf(path, sizeof(path), "%s/daemons", d->cgroup);
	if ((mkdir(d->cgroup, 0755) && errno != EEXIST) || (mkdir(path, 0755) && errno != EEXIST)) {
		diag("docker: no cgroup of its own (%s: %s): containers go to /docker", d->cgroup,
		     strerror(errno));
		rmdir(d->cgroup);
		d->cgroup[0] = 0;
		return;
	}
	snprintf(d->cgroup_parent, sizeof(d->cgroup_parent), "/rt-docker-%d/docker", getpid());
}

bool docker_start(struct docker *d)
{
	static const char *const bins[] = { DOCKER_CLI, DOCKER_DOCKERD, DOCKER_CONTAINERD,
					    RUNC_PATHS, DOCKER_BUSYBOX };
	struct keeper_report r = {};
	int ctl[2] = { -1, -1 }, rep[2] = { -1, -1 };
	char why[512], out[512];
	struct stat st;
	unsigned int i;
	int waited;

	memset(d, 0, sizeof(*d));
	d->ctl = -1;
	d->t_start_ns = boottime_ns();
	if (getenv("RT_DOCKER") && !strcmp(getenv("RT_DOCKER"), "0")) {
		test_skip("RT_DOCKER=0");
		return false;
	}
	if (geteuid()) {
		test_skip("dockerd needs root");
		return false;
	}
	for (i = 0; i < sizeof(bins) / sizeof(bins[0]); i++) {
		if (access(bins[i], X_OK)) {
			test_skip("no %s: Debian's docker.io and busybox-static are not installed "
				  "(scripts/deps.sh installs them)",
				  bins[i]);
			return false;
		}
	}
	sweep_stale();
	d->made_run_docker = stat("/run/docker", &st) != 0;
	d->made_run_containerd = stat("/run/containerd", &st) != 0;
	strcpy(d->dir, "/tmp/rt-docker-XXXXXX");
	if (!mkdtemp(d->dir)) {
		test_skip("cannot make a directory in /tmp: %s", strerror(errno));
		d->dir[0] = 0;
		return false;
	}
	snprintf(d->host, sizeof(d->host), "unix://%s/docker.sock", d->dir);
	snprintf(d->containerd_sock, sizeof(d->containerd_sock), "%s/containerd/containerd.sock",
		 d->dir);
	{
		char owner[PATH_MAX];

		snprintf(owner, sizeof(owner), "%s/owner", d->dir);
		write_text(owner, "%d\n", getpid());
	}
	if (!write_configs(d))
		goto fail;
	make_cgroups(d);
	if (pipe2(ctl, O_CLOEXEC) || pipe2(rep, O_CLOEXEC)) {
		ASSERT_TRUE(false, "pipe2");
		goto fail;
	}
	fflush(stdout);
	fflush(stderr);
	d->keeper = fork();
	if (d->keeper == 0) {
		close(ctl[1]);
		close(rep[0]);
		keeper_main(d, ctl[0], rep[1]);
	}
	close(ctl[0]);
	close(rep[1]);
	ctl[0] = rep[1] = -1;
	d->ctl = ctl[1];
	if (!ASSERT_GT(d->keeper, 0, "fork of the docker keeper"))
		goto fail;
	d->keeper_running = true;
	{
		struct pollfd p = { .fd = rep[0], .events = POLLIN };

		if (poll(&p, 1, READY_TIMEOUT_MS + 5000) != 1 ||
		    read(rep[0], &r, sizeof(r)) != sizeof(r)) {
			ASSERT_TRUE(false, "the docker keeper reports the daemons' pids");
			goto fail;
		}
	}
	close(rep[0]);
	rep[0] = -1;
	d->containerd = r.containerd > 0 ? r.containerd : 0;
	d->dockerd = r.dockerd > 0 ? r.dockerd : 0;
	if (r.err) {
		log_reason(d, "containerd.log", why, sizeof(why));
		test_skip("containerd %s: %s",
			  r.err == -ENOTCONN ? "did not come up" : "cannot be started", why);
		goto fail;
	}
	for (waited = 0;; waited += 100) {
		const char *const ver[] = { "version", "--format", "{{.Server.Version}}", NULL };

		if (docker_cmd(d, out, sizeof(out), 10000, ver) == 0)
			break;
		if (!alive(d->dockerd) || !alive(d->containerd)) {
			const char *who = alive(d->containerd) ? "dockerd" : "containerd";

			log_reason(d, alive(d->containerd) ? "dockerd.log" : "containerd.log", why,
				   sizeof(why));
			test_skip("%s exited at its start: %s", who, why);
			goto fail;
		}
		if (waited >= READY_TIMEOUT_MS) {
			ASSERT_TRUE(false, "dockerd answers within 60 s");
			diag("docker version: %s", out);
			docker_diag_log(d, "dockerd.log", 20);
			goto fail;
		}
		msleep(100);
	}
	d->t_ready_ns = boottime_ns();
	if (d->cgroup[0]) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/daemons", d->cgroup);
		if (!stat(path, &st))
			d->cgroup_id = st.st_ino;
	}
	diag("docker: dockerd %s (pid %d, containerd %d, keeper %d) answered in %.1f s, in %s", out,
	     d->dockerd, d->containerd, d->keeper, (d->t_ready_ns - d->t_start_ns) / 1e9, d->dir);
	return true;
fail:
	if (ctl[0] >= 0)
		close(ctl[0]);
	if (rep[0] >= 0)
		close(rep[0]);
	if (rep[1] >= 0)
		close(rep[1]);
	/* A skip stays a skip; the take-down's asserts are real ones still. */
	docker_stop(d);
	return false;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out, err = 0;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	close(in);
	if (close(out) && !err)
		err = -errno;
	return err;
}

static int mkdir_p(char *path)
{
	char *s;

	for (s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(path, 0755) && errno != EEXIST) {
			*s = '/';
			return -errno;
		}
		*s = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

bool docker_import_busybox(struct docker *d, const char *name)
{
	char root[PATH_MAX / 2], bb[PATH_MAX], line[PATH_MAX], cmd[3 * PATH_MAX], out[1024];
	static const char *const dirs[] = { "dev", "proc", "sys", "etc", "tmp", "root" };
	unsigned int i;
	int links = 0, rc;
	FILE *f;

	snprintf(root, sizeof(root), "%s/rootfs/bin", d->dir);
	if (!ASSERT_EQ(mkdir_p(root), 0, "mkdir rootfs/bin"))
		return false;
	snprintf(root, sizeof(root), "%s/rootfs", d->dir);
	snprintf(bb, sizeof(bb), "%s/bin/busybox", root);
	if (!ASSERT_EQ(copy_file(DOCKER_BUSYBOX, bb, 0755), 0, "copy /bin/busybox into the rootfs"))
		return false;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(line, sizeof(line), "%s/%s", root, dirs[i]);
		mkdir(line, 0755);
	}
	/* "bin/sh", "usr/bin/env"...: a hard link each, valid in any root. */
	f = popen(DOCKER_BUSYBOX " --list-full", "re");
	if (!ASSERT_TRUE(f != NULL, "busybox --list-full"))
		return false;
	while (fgets(line, sizeof(line), f)) {
		char path[2 * PATH_MAX], *slash;

		line[strcspn(line, "\n")] = 0;
		if (!line[0] || strstr(line, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, line);
		slash = strrchr(path, '/');
		*slash = 0;
		mkdir_p(path);
		*slash = '/';
		if (!link(bb, path) || errno == EEXIST)
			links++;
	}
	pclose(f);
	if (!ASSERT_GT(links, 100, "busybox applet links in the rootfs"))
		return false;
	snprintf(cmd, sizeof(cmd),
		 "tar -C '%s' -c . | " DOCKER_CLI " --host '%s' import "
		 "--change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' - '%s'",
		 root, d->host, name);
	rc = run_argv(d, (const char *const[]){ "/bin/sh", "-c", cmd, NULL }, out, sizeof(out),
		      120000);
	if (!ASSERT_EQ(rc, 0, "docker import of the busybox rootfs")) {
		diag("%s: %s", cmd, out);
		return false;
	}
	return true;
}

bool docker_stop(struct docker *d)
{
	char out[8192];
	bool ok = true;
	int status = 0, left;

	if (d->keeper_running && d->t_ready_ns) {
		const char *const ps[] = { "ps", "-aq", NULL };
		int rc = docker_cmd(d, out, sizeof(out), 30000, ps);

		if (ASSERT_EQ(rc, 0, "docker ps -aq") && out[0]) {
			const char *argv[64] = { "rm", "-f" };
			char *save = NULL, *id;
			int n = 2;

			for (id = strtok_r(out, "\n", &save); id && n < 63;
			     id = strtok_r(NULL, "\n", &save))
				argv[n++] = id;
			argv[n] = NULL;
			rc = docker_cmd(d, NULL, 0, 60000, argv);
			ok &= ASSERT_EQ(rc, 0, "docker rm -f of the containers left");
		}
	}
	if (d->ctl >= 0) {
		close(d->ctl);
		d->ctl = -1;
	}
	if (d->keeper_running) {
		if (wait_pid_timeout(d->keeper, &status, KEEPER_STOP_MS)) {
			ASSERT_TRUE(false, "the docker keeper takes everything down within 90 s");
			kill(d->keeper, SIGKILL);
			waitpid(d->keeper, &status, 0);
			ok = false;
		} else if (!WIFEXITED(status) || (WEXITSTATUS(status) & ~K_START_FAILED)) {
			ok &= ASSERT_EQ(status, 0,
					"the keeper stopped all without a kill "
					"(1 dockerd, 2 containerd, 4 others killed, "
					"8 not reaped; x256)");
			docker_diag_log(d, "dockerd.log", 10);
		}
		d->keeper_running = false;
	}
	if (d->dir[0]) {
		/* A dockerd that died at its start leaves its data-root bind mount. */
		left = mounts_under(d->dir, true);
		if (d->t_ready_ns)
			ok &= ASSERT_EQ(left, 0, "no mount left under the docker directory");
		/* Never into something mounted there. */
		if (ASSERT_EQ(mounts_under(d->dir, false), 0, "no mount of the docker directory"))
			ok &= ASSERT_EQ(rm_rf(d->dir), 0, "rm -rf of the docker directory");
		else
			ok = false;
		d->dir[0] = 0;
	}
	if (d->cgroup[0]) {
		char rel[64];

		snprintf(rel, sizeof(rel), "%s", strrchr(d->cgroup, '/'));
		ok &= ASSERT_EQ(remove_cgroups(rel, &ok), 0, "no container cgroup left");
		d->cgroup[0] = 0;
	}
	/* Empty now if they were ours; a system dockerd's are never empty. */
	if (d->made_run_containerd) {
		rmdir("/run/containerd/s");
		rmdir("/run/containerd");
		d->made_run_containerd = false;
	}
	if (d->made_run_docker) {
		rmdir("/run/docker/plugins");
		rmdir("/run/docker");
		d->made_run_docker = false;
	}
	d->t_stopped_ns = boottime_ns();
	return ok;
}

bool docker_nothing_left(pid_t except)
{
	struct proc_entry *procs = NULL;
	int n = proc_descendants(getpid(), &procs), i, left = 0;

	for (i = 0; i < n; i++) {
		if (procs[i].pid == except)
			continue;
		diag("left: pid %d ppid %d %c %s", procs[i].pid, procs[i].ppid, procs[i].state,
		     procs[i].comm);
		left++;
	}
	free(procs);
	return ASSERT_EQ(left, 0, "nothing of docker is left below the test");
}
