/* test_cpu.c: the CPU pool: new requests go first but work is never starved, tasks post tasks, a stop runs what is queued, quiesce waits for the running ones. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpu.h"
#include "t.h"

static pthread_mutex_t	mu = PTHREAD_MUTEX_INITIALIZER;
static char		order[64];	/* which tasks ran, in order */
static int		gate_open;	/* the first task holds the only thread until set */

struct item {
	struct cpu_task	 t;
	char		 name;
	int		 again;		/* posts itself this many more times */
	struct cpu_pool	*p;
};

static void
run(struct cpu_task *t)
{
	struct item *it = (struct item *)(void *)t;

	pthread_mutex_lock(&mu);
	strncat(order, &it->name, 1);
	pthread_mutex_unlock(&mu);
	if (it->again-- > 0)
		cpu_post(it->p, &it->t, CPU_WORK);
}

static void
gate(struct cpu_task *t)
{
	(void)t;
	while (!__atomic_load_n(&gate_open, __ATOMIC_ACQUIRE))
		usleep(1000);
}

/* Queued behind a busy thread: new requests before work, one work task in every CPU_WORK_EVERY. */
static void
test_new_first_work_not_starved(void)
{
	struct cpu_pool	*p = cpu_start(1);
	struct cpu_task	 g = { NULL, gate };
	struct item	 w[2], n[6];
	int		 i;

	order[0] = '\0';
	__atomic_store_n(&gate_open, 0, __ATOMIC_RELEASE);
	cpu_post(p, &g, CPU_WORK);
	usleep(50 * 1000);	/* the thread is in gate() now */
	for (i = 0; i < 2; i++) {
		w[i] = (struct item){ { NULL, run }, (char)('a' + i), 0, p };
		cpu_post(p, &w[i].t, CPU_WORK);
	}
	for (i = 0; i < 6; i++) {
		n[i] = (struct item){ { NULL, run }, (char)('1' + i), 0, p };
		cpu_post(p, &n[i].t, CPU_NEW);
	}
	__atomic_store_n(&gate_open, 1, __ATOMIC_RELEASE);
	cpu_stop(p);
	/* The gate was turn 1: turns 2, 3 new; turn 4 work; 5, 6, 7 new; 8 work. */
	CHECK_STR(order, "12a345b6");
}

/* A stop runs what is queued, and what those tasks post. */
static void
test_stop_drains(void)
{
	struct cpu_pool	*p = cpu_start(2);
	struct item	 it = { { NULL, run }, 'x', 4, NULL };

	order[0] = '\0';
	it.p = p;
	CHECK(cpu_threads(p) == 2);
	cpu_post(p, &it.t, CPU_NEW);
	cpu_stop(p);
	CHECK_STR(order, "xxxxx");
}

/* A task that runs until told; quiesce must not come back before it ends. */
static int	slow_started, slow_done, slow_go;

static void
slow(struct cpu_task *t)
{
	(void)t;
	__atomic_store_n(&slow_started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&slow_go, __ATOMIC_ACQUIRE))
		usleep(1000);
	__atomic_store_n(&slow_done, 1, __ATOMIC_RELEASE);
}

static void *
release_later(void *arg)
{
	(void)arg;
	usleep(100 * 1000);
	__atomic_store_n(&slow_go, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
test_quiesce_waits_for_running_tasks(void)
{
	struct cpu_pool	*p = cpu_start(2);
	struct cpu_task	 t = { NULL, slow };
	pthread_t	 th;

	__atomic_store_n(&slow_started, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&slow_done, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&slow_go, 0, __ATOMIC_RELEASE);
	/* Nothing running: at once. */
	CHECK(cpu_quiesce(p) == 0);
	cpu_post(p, &t, CPU_WORK);
	while (!__atomic_load_n(&slow_started, __ATOMIC_ACQUIRE))
		usleep(1000);
	pthread_create(&th, NULL, release_later, NULL);
	CHECK(cpu_quiesce(p) == 0);
	CHECK(__atomic_load_n(&slow_done, __ATOMIC_ACQUIRE) == 1);
	pthread_join(th, NULL);
	cpu_stop(p);
}

/* 0 threads: one per core. */
static void
test_zero_is_a_thread_per_core(void)
{
	struct cpu_pool *p = cpu_start(0);

	CHECK(p != NULL && cpu_threads(p) == sysconf(_SC_NPROCESSORS_ONLN));
	cpu_stop(p);
}

int
main(void)
{
	T_RUN(test_zero_is_a_thread_per_core);
	T_RUN(test_new_first_work_not_starved);
	T_RUN(test_stop_drains);
	T_RUN(test_quiesce_waits_for_running_tasks);
	return t_done("test_cpu");
}
