// SPDX-License-Identifier: GPL-2.0
/*
 * reapertrace.ko: PID namespaces, their reapers, zombies and adoptions,
 * as a table in /proc/reapertrace/namespaces.
 *
 * Snapshot columns come from one walk of all threads under RCU at read
 * time. The counters come from three scheduler tracepoints:
 *
 *   sched_process_exit  the exiting task still has its children: remember
 *                       one of them (with a reference), how many there are
 *                       in each PID namespace, and the task's own namespace.
 *   sched_switch        the first switch away from a task whose exit_state
 *                       is set comes after exit_notify(): the remembered
 *                       child's real_parent is now the new reaper, which
 *                       tells the kind of adoption (all children of one
 *                       exit go to the same reaper); a process whose leader
 *                       is EXIT_ZOMBIE with no live thread became a zombie.
 *   sched_process_free  the task is released (an RCU grace period after
 *                       release_task()): a zombie that was counted is
 *                       counted reaped, and the exit record is freed.
 *
 * Counters live in one entry per PID namespace, keyed by the namespace
 * pointer with a reference held on the namespace, so that the pointer
 * cannot be freed and reused while the entry exists. An entry is dropped
 * once its namespace can hold no task again (pid_allocated == 0: no pid
 * left and PIDNS_ADDING cleared) and no exit record points at it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/tracepoint.h>
#include <linux/version.h>
#include <linux/workqueue.h>

#define RT_FORMAT_VERSION 1
#define RT_COLUMNS                                                                       \
	"PIDNS LEVEL REAPER_PID REAPER_NSPID REAPER_COMM SIGCHLD SIGTERM TASKS ZOMBIES " \
	"OLDEST_ZOMBIE_MS SUBREAPERS ADOPTED_THREAD ADOPTED_SUBREAPER ADOPTED_INIT "     \
	"ZOMBIES_CREATED ZOMBIES_REAPED"

/* Bounds on the lock-free walk of an exiting task's children. */
#define RT_MAX_CHILDREN (1 << 22)
#define RT_MAX_CHILD_NS 1024
#define RT_PRUNE_DELAY	HZ

enum rt_kind { RT_ADOPT_THREAD, RT_ADOPT_SUBREAPER, RT_ADOPT_INIT, RT_NR_KINDS };

/* Counters of one PID namespace. */
struct rt_nsent {
	struct hlist_node node;
	struct pid_namespace *ns; /* referenced */
	atomic_t users;		  /* exit records pointing here */
	atomic64_t adopted[RT_NR_KINDS];
	atomic64_t zombies_created;
	atomic64_t zombies_reaped;
};

struct rt_slot {
	struct rt_nsent *ent;
	unsigned int nr;
};

/* One exiting task, from sched_process_exit to sched_process_free. */
struct rt_exit {
	struct hlist_node node;
	struct task_struct *task;  /* the key; not referenced */
	struct task_struct *child; /* referenced: its real_parent names the reaper */
	struct rt_nsent *self;	   /* the task's own namespace */
	bool done;		   /* the adoption was counted */
	bool zombie;		   /* leader: the process was counted a zombie */
	bool autoreap;		   /* leader: its parent released it at once, as seen at its exit */
	unsigned int nr_slots;
	struct rt_slot slots[]; /* the children, by namespace */
};

static DEFINE_SPINLOCK(rt_ns_lock); /* process context only, never from irq */
static DEFINE_HASHTABLE(rt_ns_table, 6);
static unsigned int rt_nr_ns;

static DEFINE_RAW_SPINLOCK(rt_exit_lock); /* taken under the runqueue lock */
static DEFINE_HASHTABLE(rt_exit_table, 10);
static unsigned int rt_nr_exits;

static atomic64_t rt_lost; /* events not counted: allocation failed, too many */

static void rt_prune_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(rt_prune_work, rt_prune_fn);

/* --- namespace entries ---------------------------------------------------- */

static struct rt_nsent *rt_nsent_find(struct pid_namespace *ns)
{
	struct rt_nsent *e;

	hash_for_each_possible(rt_ns_table, e, node, (unsigned long)ns)
		if (e->ns == ns)
			return e;
	return NULL;
}

/*
 * Called under RCU with ns read from a pid seen in the same read-side
 * section, which keeps the namespace's refcount above zero.
 */
static struct rt_nsent *rt_nsent_get(struct pid_namespace *ns)
{
	struct rt_nsent *e;
	bool created = false;

	spin_lock(&rt_ns_lock);
	e = rt_nsent_find(ns);
	if (!e) {
		e = kzalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN);
		if (e) {
			e->ns = get_pid_ns(ns);
			hash_add(rt_ns_table, &e->node, (unsigned long)ns);
			rt_nr_ns++;
			created = true;
		}
	}
	if (e)
		atomic_inc(&e->users);
	spin_unlock(&rt_ns_lock);
	if (created)
		schedule_delayed_work(&rt_prune_work, RT_PRUNE_DELAY);
	return e;
}

static void rt_nsent_put(struct rt_nsent *e)
{
	if (e)
		atomic_dec(&e->users);
}

static bool rt_ns_dead(struct pid_namespace *ns)
{
	return ns != &init_pid_ns && READ_ONCE(ns->pid_allocated) == 0;
}

/* Drops the entries of dead namespaces; returns true if others remain. */
static bool rt_prune(void)
{
	struct rt_nsent *e;
	struct hlist_node *tmp;
	HLIST_HEAD(dead);
	bool more = false;
	int bkt;

	spin_lock(&rt_ns_lock);
	hash_for_each_safe(rt_ns_table, bkt, tmp, e, node) {
		/* users only grows under rt_ns_lock, from a live namespace. */
		if (rt_ns_dead(e->ns) && !atomic_read(&e->users)) {
			hash_del(&e->node);
			hlist_add_head(&e->node, &dead);
			rt_nr_ns--;
		} else if (e->ns != &init_pid_ns) {
			more = true;
		}
	}
	spin_unlock(&rt_ns_lock);

	hlist_for_each_entry_safe(e, tmp, &dead, node) {
		put_pid_ns(e->ns);
		kfree(e);
	}
	return more;
}

static void rt_prune_fn(struct work_struct *work)
{
	if (rt_prune())
		schedule_delayed_work(&rt_prune_work, RT_PRUNE_DELAY);
}

/* --- tracepoint probes ---------------------------------------------------- */

static struct rt_exit *rt_exit_find(struct task_struct *task)
{
	struct rt_exit *x;

	hash_for_each_possible(rt_exit_table, x, node, (unsigned long)task)
		if (x->task == task)
			return x;
	return NULL;
}

static void rt_exit_put_refs(struct rt_exit *x)
{
	unsigned int i;

	for (i = 0; i < x->nr_slots; i++)
		rt_nsent_put(x->slots[i].ent);
	rt_nsent_put(x->self);
	if (x->child)
		put_task_struct(x->child);
}

/*
 * Groups the children of p by PID namespace into slots[]. The children
 * list is walked without tasklist_lock (not exported): task_structs are
 * freed after an RCU grace period, and an entry unlinked under us
 * (list_del_init) points to itself, which ends the walk.
 */
static unsigned int rt_collect_children(struct task_struct *p, struct pid_namespace **ns,
					unsigned int *nr, unsigned int max,
					struct task_struct **first)
{
	struct list_head *head = &p->children, *pos, *next;
	unsigned int nr_ns = 0, walked = 0, i;

	for (pos = READ_ONCE(head->next); pos != head; pos = next) {
		struct task_struct *c = list_entry(pos, struct task_struct, sibling);
		struct pid_namespace *cns = task_active_pid_ns(c);

		next = READ_ONCE(pos->next);
		if (next == pos || ++walked > RT_MAX_CHILDREN)
			break;
		if (!cns)
			continue;
		if (!*first)
			*first = c;
		for (i = 0; i < nr_ns && ns[i] != cns; i++)
			;
		if (i == nr_ns) {
			if (nr_ns == max) {
				atomic64_inc(&rt_lost);
				continue;
			}
			ns[nr_ns] = cns;
			nr[nr_ns++] = 0;
		}
		nr[i]++;
	}
	return nr_ns;
}

static bool rt_autoreaped(struct task_struct *leader);

#ifdef RT_TP_EXIT_GROUP_DEAD
static void rt_probe_exit(void *data, struct task_struct *p, bool group_dead)
#else
static void rt_probe_exit(void *data, struct task_struct *p)
#endif
{
	struct pid_namespace *small_ns[8], **ns = small_ns;
	unsigned int small_nr[8], *nr = small_nr;
	unsigned int max = ARRAY_SIZE(small_ns), nr_ns, i;
	struct task_struct *first = NULL;
	struct pid_namespace *self_ns;
	unsigned long flags;
	struct rt_exit *x;

	rcu_read_lock();
	self_ns = task_active_pid_ns(p);
	if (!self_ns)
		goto out;
	nr_ns = rt_collect_children(p, ns, nr, max, &first);
	if (nr_ns == max) {
		/* Many namespaces among the children: count again, bigger. */
		ns = kmalloc_array(RT_MAX_CHILD_NS, sizeof(*ns), GFP_ATOMIC | __GFP_NOWARN);
		nr = kmalloc_array(RT_MAX_CHILD_NS, sizeof(*nr), GFP_ATOMIC | __GFP_NOWARN);
		if (ns && nr) {
			first = NULL;
			max = RT_MAX_CHILD_NS;
			nr_ns = rt_collect_children(p, ns, nr, max, &first);
		} else {
			kfree(ns);
			kfree(nr);
			ns = small_ns;
			nr = small_nr;
		}
	}
	/* Nothing to follow for a thread without children. */
	if (!nr_ns && !thread_group_leader(p))
		goto out_free;

	x = kzalloc(struct_size(x, slots, nr_ns), GFP_ATOMIC | __GFP_NOWARN);
	if (!x) {
		atomic64_inc(&rt_lost);
		goto out_free;
	}
	x->task = p;
	/*
	 * Whether the parent will release it without a zombie, read now: by
	 * the last switch the parent may be gone, its dispositions with it.
	 */
	if (thread_group_leader(p))
		x->autoreap = rt_autoreaped(p);
	x->self = rt_nsent_get(self_ns);
	if (!x->self)
		atomic64_inc(&rt_lost);
	if (first)
		x->child = get_task_struct(first);
	x->nr_slots = nr_ns;
	for (i = 0; i < nr_ns; i++) {
		x->slots[i].ent = rt_nsent_get(ns[i]);
		x->slots[i].nr = nr[i];
		if (!x->slots[i].ent)
			atomic64_inc(&rt_lost);
	}

	raw_spin_lock_irqsave(&rt_exit_lock, flags);
	hash_add(rt_exit_table, &x->node, (unsigned long)p);
	rt_nr_exits++;
	raw_spin_unlock_irqrestore(&rt_exit_lock, flags);
out_free:
	if (ns != small_ns) {
		kfree(ns);
		kfree(nr);
	}
out:
	rcu_read_unlock();
}

/* Under rt_exit_lock, after exit_notify() of x->task. */
static void rt_count_adoption(struct rt_exit *x)
{
	struct task_struct *father = x->task, *reaper, *init;
	enum rt_kind kind;
	unsigned int i;

	x->done = true;
	if (!x->child || !x->self)
		return;
	rcu_read_lock();
	reaper = rcu_dereference(x->child->real_parent);
	init = READ_ONCE(x->self->ns->child_reaper);
	if (reaper == father) {
		/* A namespace init without threads: its children were killed. */
		rcu_read_unlock();
		return;
	}
	if (same_thread_group(reaper, father))
		kind = RT_ADOPT_THREAD;
	else if (init && same_thread_group(reaper, init))
		kind = RT_ADOPT_INIT;
	else
		kind = RT_ADOPT_SUBREAPER;
	rcu_read_unlock();

	for (i = 0; i < x->nr_slots; i++)
		if (x->slots[i].ent)
			atomic64_add(x->slots[i].nr, &x->slots[i].ent->adopted[kind]);
}

/*
 * Whether exit_notify() released the dead leader at once instead of leaving
 * a zombie (do_notify_parent(): the parent ignores SIGCHLD or set
 * SA_NOCLDWAIT). Asked when a leader is found EXIT_DEAD, which is also what
 * a zombie already reaped by a fast parent looks like.
 */
static bool rt_autoreaped(struct task_struct *leader)
{
	struct task_struct *parent;
	struct sighand_struct *sh;
	struct k_sigaction *ka;
	bool ret = false;

	if (leader->ptrace || leader->exit_signal != SIGCHLD)
		return false;
	rcu_read_lock();
	parent = rcu_dereference(leader->real_parent);
	sh = parent ? rcu_dereference(parent->sighand) : NULL;
	if (sh) {
		ka = &sh->action[SIGCHLD - 1];
		ret = READ_ONCE(ka->sa.sa_handler) == SIG_IGN ||
		      (READ_ONCE(ka->sa.sa_flags) & SA_NOCLDWAIT);
	}
	rcu_read_unlock();
	return ret;
}

/* Under rt_exit_lock: t has passed exit_notify(). */
static void rt_count_zombie(struct task_struct *t)
{
	struct task_struct *leader = READ_ONCE(t->group_leader);
	int state = READ_ONCE(leader->exit_state);
	struct rt_exit *lx;

	if (atomic_read(&t->signal->live))
		return;
	lx = rt_exit_find(leader);
	if (!lx || lx->zombie || !lx->self)
		return;
	if (state != EXIT_ZOMBIE && (state != EXIT_DEAD || lx->autoreap))
		return;
	lx->zombie = true;
	atomic64_inc(&lx->self->zombies_created);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0)
static void rt_probe_switch(void *data, bool preempt, struct task_struct *prev,
			    struct task_struct *next, unsigned int prev_state)
#else
static void rt_probe_switch(void *data, bool preempt, struct task_struct *prev,
			    struct task_struct *next)
#endif
{
	struct rt_exit *x;
	unsigned long flags;

	if (likely(!READ_ONCE(prev->exit_state)))
		return;
	raw_spin_lock_irqsave(&rt_exit_lock, flags);
	x = rt_exit_find(prev);
	if (x && !x->done)
		rt_count_adoption(x);
	rt_count_zombie(prev);
	raw_spin_unlock_irqrestore(&rt_exit_lock, flags);
}

static void rt_probe_free(void *data, struct task_struct *p)
{
	struct rt_exit *x;
	unsigned long flags;

	raw_spin_lock_irqsave(&rt_exit_lock, flags);
	x = rt_exit_find(p);
	if (x) {
		if (!x->done)
			rt_count_adoption(x);
		hash_del(&x->node);
		rt_nr_exits--;
	}
	raw_spin_unlock_irqrestore(&rt_exit_lock, flags);
	if (!x)
		return;
	if (x->zombie)
		atomic64_inc(&x->self->zombies_reaped);
	rt_exit_put_refs(x);
	kfree(x);
}

static struct rt_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} rt_tps[] = {
	{ "sched_process_exit", rt_probe_exit },
	{ "sched_switch", rt_probe_switch },
	{ "sched_process_free", rt_probe_free },
};

static void rt_tp_lookup(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(rt_tps); i++)
		if (!strcmp(tp->name, rt_tps[i].name))
			rt_tps[i].tp = tp;
}

static void rt_tp_unregister(int nr)
{
	while (nr--)
		tracepoint_probe_unregister(rt_tps[nr].tp, rt_tps[nr].probe, NULL);
	tracepoint_synchronize_unregister();
}

static int rt_tp_register(void)
{
	int i, err;

	for_each_kernel_tracepoint(rt_tp_lookup, NULL);
	for (i = 0; i < ARRAY_SIZE(rt_tps); i++) {
		if (!rt_tps[i].tp) {
			pr_err("tracepoint %s not found\n", rt_tps[i].name);
			err = -ENOENT;
			goto err_unregister;
		}
		err = tracepoint_probe_register(rt_tps[i].tp, rt_tps[i].probe, NULL);
		if (err) {
			pr_err("failed to register a probe on %s: %d\n", rt_tps[i].name, err);
			goto err_unregister;
		}
	}
	return 0;

err_unregister:
	rt_tp_unregister(i);
	return err;
}

/* Frees what the probes left; they are unregistered and synchronized. */
static void rt_free_all(void)
{
	struct rt_exit *x;
	struct hlist_node *tmp;
	struct rt_nsent *e;
	int bkt;

	hash_for_each_safe(rt_exit_table, bkt, tmp, x, node) {
		hash_del(&x->node);
		rt_exit_put_refs(x);
		kfree(x);
	}
	rt_nr_exits = 0;
	cancel_delayed_work_sync(&rt_prune_work);
	hash_for_each_safe(rt_ns_table, bkt, tmp, e, node) {
		hash_del(&e->node);
		put_pid_ns(e->ns);
		kfree(e);
	}
	rt_nr_ns = 0;
}

/* --- /proc/reapertrace/namespaces ----------------------------------------- */

struct rt_row {
	struct pid_namespace *ns; /* referenced */
	bool visible;
	unsigned int inum, level;
	pid_t reaper_pid, reaper_nspid;
	char reaper_comm[TASK_COMM_LEN];
	const char *sigchld, *sigterm;
	unsigned long tasks, zombies, subreapers;
	u64 oldest_ns;
	s64 adopted[RT_NR_KINDS], created, reaped;
};

struct rt_snap {
	struct rt_row *rows;
	unsigned int nr, cap;
};

static bool rt_ns_below(struct pid_namespace *ns, struct pid_namespace *top)
{
	while (ns && ns->level > top->level)
		ns = ns->parent;
	return ns == top;
}

static const char *rt_disposition(struct sighand_struct *sh, int sig)
{
	void __user *h;

	if (!sh)
		return "default";
	h = READ_ONCE(sh->action[sig - 1].sa.sa_handler);
	if (h == SIG_IGN)
		return "ignore";
	if (h == SIG_DFL)
		return "default";
	return "handler";
}

/* Under RCU: a new row for ns, seen through one of its live tasks. */
static struct rt_row *rt_row_new(struct rt_snap *s, struct pid_namespace *ns,
				 struct pid_namespace *me)
{
	struct rt_row *r = &s->rows[s->nr++];
	struct task_struct *reaper;

	memset(r, 0, sizeof(*r));
	r->ns = get_pid_ns(ns);
	r->inum = ns->ns.inum;
	r->level = ns->level;
	r->visible = rt_ns_below(ns, me);
	r->sigchld = "default";
	r->sigterm = "default";
	strscpy(r->reaper_comm, "-", sizeof(r->reaper_comm));
	reaper = READ_ONCE(ns->child_reaper);
	if (r->visible && reaper) {
		struct sighand_struct *sh = rcu_dereference(reaper->sighand);

		r->reaper_pid = task_tgid_nr_ns(reaper, me);
		r->reaper_nspid = task_tgid_nr_ns(reaper, ns);
		get_task_comm(r->reaper_comm, reaper);
		r->sigchld = rt_disposition(sh, SIGCHLD);
		r->sigterm = rt_disposition(sh, SIGTERM);
	}
	return r;
}

static void rt_snap_put(struct rt_snap *s)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		put_pid_ns(s->rows[i].ns);
	s->nr = 0;
}

/* One walk of all threads under RCU; -ENOSPC if the rows did not fit. */
static int rt_snap_walk(struct rt_snap *s, struct pid_namespace *me)
{
	u64 now = READ_ONCE(current->se.exec_start);
	struct task_struct *p, *t;
	struct rt_row *r = NULL;
	int err = 0;

	rcu_read_lock();
	for_each_process_thread(p, t) {
		struct pid_namespace *ns = task_active_pid_ns(t);
		unsigned int i;

		if (!ns)
			continue;
		if (!r || r->ns != ns) {
			for (i = 0; i < s->nr && s->rows[i].ns != ns; i++)
				;
			if (i < s->nr) {
				r = &s->rows[i];
			} else if (s->nr == s->cap) {
				err = -ENOSPC;
				break;
			} else {
				r = rt_row_new(s, ns, me);
			}
		}
		if (!r->visible)
			continue;
		r->tasks++;
		if (!thread_group_leader(t))
			continue;
		if (t->signal->is_child_subreaper)
			r->subreapers++;
		if (READ_ONCE(t->exit_state) == EXIT_ZOMBIE && !atomic_read(&t->signal->live)) {
			u64 then = READ_ONCE(t->se.exec_start);

			r->zombies++;
			if (now > then && now - then > r->oldest_ns)
				r->oldest_ns = now - then;
		}
	}
	rcu_read_unlock();
	return err;
}

static void rt_snap_counters(struct rt_snap *s)
{
	struct rt_nsent *e;
	unsigned int i;
	int k;

	spin_lock(&rt_ns_lock);
	for (i = 0; i < s->nr; i++) {
		struct rt_row *r = &s->rows[i];

		e = rt_nsent_find(r->ns);
		if (!e)
			continue;
		for (k = 0; k < RT_NR_KINDS; k++)
			r->adopted[k] = atomic64_read(&e->adopted[k]);
		r->created = atomic64_read(&e->zombies_created);
		r->reaped = atomic64_read(&e->zombies_reaped);
	}
	spin_unlock(&rt_ns_lock);
}

static int rt_row_cmp(const void *a, const void *b)
{
	const struct rt_row *x = a, *y = b;

	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	return 0;
}

static void rt_row_show(struct seq_file *m, const struct rt_row *r)
{
	seq_printf(m, "%u %u %d %d ", r->inum, r->level, r->reaper_pid, r->reaper_nspid);
	seq_escape(m, r->reaper_comm, " \t\n\\");
	seq_printf(m, " %s %s %lu %lu %llu %lu %lld %lld %lld %lld %lld\n", r->sigchld, r->sigterm,
		   r->tasks, r->zombies, div_u64(r->oldest_ns, NSEC_PER_MSEC), r->subreapers,
		   r->adopted[RT_ADOPT_THREAD], r->adopted[RT_ADOPT_SUBREAPER],
		   r->adopted[RT_ADOPT_INIT], r->created, r->reaped);
}

static int rt_namespaces_show(struct seq_file *m, void *v)
{
	struct pid_namespace *me = task_active_pid_ns(current);
	struct rt_snap s = { .cap = 16 };
	unsigned int i;
	int err;

	rt_prune();
	for (;;) {
		s.rows = kvmalloc_array(s.cap, sizeof(*s.rows), GFP_KERNEL);
		if (!s.rows)
			return -ENOMEM;
		err = rt_snap_walk(&s, me);
		if (err != -ENOSPC)
			break;
		rt_snap_put(&s);
		kvfree(s.rows);
		s.cap *= 2;
	}
	rt_snap_counters(&s);
	sort(s.rows, s.nr, sizeof(*s.rows), rt_row_cmp, NULL);

	seq_puts(m, RT_COLUMNS "\n");
	for (i = 0; i < s.nr; i++)
		if (s.rows[i].visible && s.rows[i].tasks)
			rt_row_show(m, &s.rows[i]);
	rt_snap_put(&s);
	kvfree(s.rows);
	return 0;
}

static int rt_format_show(struct seq_file *m, void *v)
{
	seq_printf(m, "version %d\ncolumns %s\n", RT_FORMAT_VERSION, RT_COLUMNS);
	return 0;
}

/* Bookkeeping, for tests and debugging; not a stable format. */
static int rt_stats_show(struct seq_file *m, void *v)
{
	unsigned int nr_ns, nr_exits;
	unsigned long flags;

	rt_prune();
	spin_lock(&rt_ns_lock);
	nr_ns = rt_nr_ns;
	spin_unlock(&rt_ns_lock);
	raw_spin_lock_irqsave(&rt_exit_lock, flags);
	nr_exits = rt_nr_exits;
	raw_spin_unlock_irqrestore(&rt_exit_lock, flags);
	seq_printf(m, "namespaces %u\nexits %u\nlost %lld\n", nr_ns, nr_exits,
		   (long long)atomic64_read(&rt_lost));
	return 0;
}

static struct proc_dir_entry *rt_proc_dir;

static int rt_proc_create(void)
{
	rt_proc_dir = proc_mkdir("reapertrace", NULL);
	if (!rt_proc_dir)
		return -ENOMEM;
	if (!proc_create_single("namespaces", 0400, rt_proc_dir, rt_namespaces_show) ||
	    !proc_create_single("format", 0400, rt_proc_dir, rt_format_show) ||
	    !proc_create_single("stats", 0400, rt_proc_dir, rt_stats_show)) {
		proc_remove(rt_proc_dir);
		return -ENOMEM;
	}
	return 0;
}

static int __init rt_init(void)
{
	int err;

	err = rt_tp_register();
	if (err)
		goto err_free;
	err = rt_proc_create();
	if (err)
		goto err_unregister;
	return 0;

err_unregister:
	rt_tp_unregister(ARRAY_SIZE(rt_tps));
err_free:
	rt_free_all();
	return err;
}

static void __exit rt_exit(void)
{
	proc_remove(rt_proc_dir);
	rt_tp_unregister(ARRAY_SIZE(rt_tps));
	rt_free_all();
}

module_init(rt_init);
module_exit(rt_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("reapertrace");
MODULE_DESCRIPTION("PID namespaces, reapers, zombies and adoptions in /proc/reapertrace");
