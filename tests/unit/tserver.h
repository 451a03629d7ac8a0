/* tserver.h: a tiny HTTP/1.1 server on 127.0.0.1 for the unit tests: a thread per connection, answers from the test's own function. */
#ifndef BATCHSTATUS_TSERVER_H
#define BATCHSTATUS_TSERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * The test's answer to one request (its head, NUL-terminated): the whole
 * HTTP answer to send ("": hang up at once), or NULL to say nothing until
 * the client gives up;
 * *delay_ms is slept first. Called on the connection's thread.
 */
typedef const char	*(*tserver_fn)(const char *request, long *delay_ms);

/* The tests' knobs, read by the server's threads: set and read them through these. */
#define TSET(var, val)	__atomic_store_n(&(var), (val), __ATOMIC_SEQ_CST)
#define TGET(var)	__atomic_load_n(&(var), __ATOMIC_SEQ_CST)

static int		 tserver_fd = -1;
static tserver_fn	 tserver_answer;
static pthread_mutex_t	 tserver_mu = PTHREAD_MUTEX_INITIALIZER;
static int		 tserver_requests;	/* under tserver_mu */
static char		 tserver_last[8192];	/* the last request's head, under tserver_mu */

/* Writes an answer buffer the server's threads may be reading (printf-like). */
static void __attribute__((format(printf, 3, 4), unused))
tserver_write(char *dst, size_t dstsz, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&tserver_mu);
	va_start(ap, fmt);
	vsnprintf(dst, dstsz, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&tserver_mu);
}

static void *
tserver_conn(void *arg)
{
	int		 c = (int)(long)arg, rounds = 0;
	char		 got[8192], *mine = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	const char	*ans;
	long		 delay = 0;
	struct timespec	 ts;

	for (;;) {
		while (len < sizeof(got) - 1 &&
		    (n = read(c, got + len, sizeof(got) - 1 - len)) > 0) {
			len += (size_t)n;
			got[len] = '\0';
			/* The head, and a form body when one is announced. */
			if (strstr(got, "\r\n\r\n") != NULL) {
				const char *cl = strstr(got, "Content-Length: ");
				size_t head = (size_t)(strstr(got, "\r\n\r\n") -
				    got) + 4;

				if (cl == NULL || len >= head + (size_t)atol(cl + 16))
					break;
			}
			if (strncmp(got, "GET ", len < 4 ? len : 4) != 0 &&
			    strncmp(got, "POST ", len < 5 ? len : 5) != 0)
				break;	/* a TLS hello, say: answer it at once */
		}
		if (len == 0)
			break;
		delay = 0;
		/*
		 * The answer is copied under the lock: the tests write their
		 * answers under it too (tserver_write), so no connection reads a
		 * buffer a later test is rewriting.
		 */
		pthread_mutex_lock(&tserver_mu);
		tserver_requests++;
		memcpy(tserver_last, got, len + 1);
		pthread_mutex_unlock(&tserver_mu);
		/* The answer may wait on a test's flag: not under the lock. */
		ans = tserver_answer(got, &delay);
		pthread_mutex_lock(&tserver_mu);
		ans = mine = ans != NULL ? strdup(ans) : NULL;
		pthread_mutex_unlock(&tserver_mu);
		if (delay > 0) {
			ts.tv_sec = delay / 1000;
			ts.tv_nsec = (delay % 1000) * 1000000;
			nanosleep(&ts, NULL);
		}
		if (ans == NULL) {
			/* say nothing until the client gives up */
			while (read(c, got, sizeof(got) - 1) > 0)
				;
			break;
		}
		(void)!write(c, ans, strlen(ans));
		/* Keep-alive unless the answer says close (or is empty: a hang-up). */
		if (ans[0] == '\0' || strstr(ans, "Connection: close") != NULL ||
		    ++rounds > 1000) {
			free(mine);
			break;
		}
		free(mine);
		mine = NULL;
		len = 0;
	}
	close(c);
	return NULL;
}

static void *
tserver_accept(void *arg)
{
	pthread_attr_t	 a;
	pthread_t	 t;
	int		 c;

	(void)arg;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	while ((c = accept(tserver_fd, NULL, NULL)) >= 0)
		if (pthread_create(&t, &a, tserver_conn, (void *)(long)c) != 0)
			close(c);
	pthread_attr_destroy(&a);
	return NULL;
}

/* Starts the server; returns its port. */
static int
tserver_start(tserver_fn fn)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	pthread_t		 t;

	tserver_answer = fn;
	/* A client that gave up: writing to it must not end the test. */
	signal(SIGPIPE, SIG_IGN);
	tserver_fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(tserver_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(tserver_fd, 256) != 0)
		return -1;
	getsockname(tserver_fd, (struct sockaddr *)&sa, &sl);
	pthread_create(&t, NULL, tserver_accept, NULL);
	pthread_detach(t);
	return ntohs(sa.sin_port);
}

static __attribute__((unused)) int
tserver_count(void)
{
	int n;

	pthread_mutex_lock(&tserver_mu);
	n = tserver_requests;
	pthread_mutex_unlock(&tserver_mu);
	return n;
}

/* A copy of the last request's head. */
static __attribute__((unused)) void
tserver_last_request(char *out, size_t outsz)
{
	pthread_mutex_lock(&tserver_mu);
	snprintf(out, outsz, "%s", tserver_last);
	pthread_mutex_unlock(&tserver_mu);
}

#endif
