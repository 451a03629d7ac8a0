/* cpu.h: the CPU pool: a few threads (one per core by default) that run short tasks; nothing on them waits on the network. */
#ifndef BATCHSTATUS_CPU_H
#define BATCHSTATUS_CPU_H

/*
 * A task lives inside the object it works on (a request, a fetch): posting
 * allocates nothing, so it cannot fail, and may be done from any thread,
 * the I/O loop's included. A task is posted at most once at a time; its
 * function may post it again.
 */
struct cpu_task {
	struct cpu_task	*next;
	void		(*fn)(struct cpu_task *);
};

/*
 * CPU_NEW: a request just accepted (route it, answer it or park it).
 * CPU_WORK: everything else (a call that ended: parse, render, write).
 * New requests go first, so /healthz and cached pages never queue behind
 * a crowd of renders; one task in CPU_WORK_EVERY is taken from the work
 * queue regardless, so work is never starved.
 */
enum cpu_prio { CPU_NEW, CPU_WORK };
#define CPU_WORK_EVERY	4

struct cpu_pool;

/* Starts n threads (n < 1: one per core); NULL when none could start. */
struct cpu_pool	*cpu_start(long n);
void		 cpu_post(struct cpu_pool *, struct cpu_task *, enum cpu_prio);
/* Runs what is queued (tasks may post more), then ends the threads. */
void		 cpu_stop(struct cpu_pool *);
long		 cpu_threads(const struct cpu_pool *);
/*
 * Waits until every task running when it was called has ended (tasks
 * started since do not count): after it, nothing a task read before can
 * still be in use, so what a reload replaced may be freed. Not from a
 * task. -1 when it could not wait (out of memory): free nothing then.
 */
int		 cpu_quiesce(struct cpu_pool *);

#endif
