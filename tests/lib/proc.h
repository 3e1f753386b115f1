/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What /proc, /sys/fs/cgroup and the clock say of processes: the truth the
 * tests compare reapertrace's records with.
 */
#ifndef RT_TESTS_PROC_H
#define RT_TESTS_PROC_H

#include <sys/types.h>

struct proc_entry {
	pid_t pid;
	pid_t ppid;
	char state;
	char comm[32];
};

/* Every process now, malloc'd array; how many, or -1. */
int proc_all(struct proc_entry **out);
/* Processes below pid (its children, their children...), malloc'd array. */
int proc_descendants(pid_t pid, struct proc_entry **out);
int proc_stat(pid_t pid, struct proc_entry *e);
/* The inode of a namespace file (/proc/PID/ns/pid), 0 on error. */
unsigned long long ns_inode(const char *path);
unsigned long long proc_pidns(pid_t pid); /* 0 on error */
unsigned long long proc_pidns_tid(pid_t tid);
/* cgroup v2 mount point ("" if none) */
const char *cgroup2_mount(void);
unsigned long long proc_cgroup_id(pid_t pid);		/* 0 if none */
int proc_cgroup_path(pid_t pid, char *buf, size_t len); /* "/x/y" */

/* Waits for pid (a child) to exit; -ETIMEDOUT after timeout_ms. */
int wait_pid_timeout(pid_t pid, int *status, int timeout_ms);
unsigned long long boottime_ns(void);
/* Sleeps @ms milliseconds, the whole of them (resumed after a signal). */
void msleep(int ms);

#endif /* RT_TESTS_PROC_H */
