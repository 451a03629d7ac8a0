/* pc_http.h: the I/O loop: every HTTP call to Partner Center and to the sign-in endpoint, on one thread, and the loop's timers. */
#ifndef BATCHSTATUS_PC_HTTP_H
#define BATCHSTATUS_PC_HTTP_H

#include <stddef.h>
#include <stdint.h>

/*
 * One thread runs every upstream call through one libcurl multi handle
 * (epoll and curl_multi_socket_action): a call that waits costs a few
 * kilobytes, not a thread. HTTP/2 is used when the server offers it, its
 * calls multiplexed over few connections; HTTP/1.1 keep-alive otherwise.
 * Calls are submitted from any thread; their callbacks run on the loop's
 * thread and must not block (hand the result to the CPU pool).
 */

enum pc_outcome {
	PC_ANSWER,	/* an HTTP answer arrived whole: see http_status */
	PC_TIMEOUT,	/* the call's deadline passed */
	PC_CONNECT,	/* DNS, refused, reset, or the peer hung up unanswered */
	PC_TLS,		/* handshake or certificate verification failed */
	PC_TOO_LARGE,	/* the body passed max_body */
	PC_BAD_HEADER,	/* a header line or the header section passed libcurl's limits */
	PC_INTERNAL,	/* out of memory, a libcurl misuse, or the loop stopped */
};

struct pc_loop_opts {
	long		 max_connections;	/* per host: HTTP/1.1 calls at once, or HTTP/2 connections */
	long		 connect_timeout_ms;	/* TCP + TLS, within a call's own deadline */
	const char	*ca_file;		/* NULL or "": the system's CAs */
	const char	*user_agent;
};

struct pc_request {
	const char		*url;
	const char *const	*headers;	/* "Name: value" lines, NULL-terminated; copied and wiped after the call */
	const char		*post;		/* a form body to POST (copied, wiped); NULL: a GET */
	size_t			 post_len;
	long			 timeout_ms;	/* the whole call, from now: the caller's remaining budget */
	long			 max_body;	/* bytes of answer body kept at most */
};

struct pc_result {
	enum pc_outcome	 outcome;
	long		 http_status;
	char		*body;		/* NUL-terminated (PC_ANSWER); free with pc_result_free */
	size_t		 len;
	char		 retry_after[64];	/* the Retry-After header as sent, or "" */
	char		 content_type[96];
	long		 elapsed_ms;
	int		 http_version;	/* 1 or 2; 0 when no answer */
	long		 new_connections;	/* connections this call opened (0: it reused one) */
	char		 detail[320];	/* libcurl's words, for the log */
};

struct pc_loop;

/* Called on the loop's thread when a call ends: take what you keep of res (its body too), do not block. */
typedef void	(*pc_done_fn)(void *arg, struct pc_result *res);

/* A one-shot timer the loop fires (on its thread) at at_ms on the monotonic clock. Owned by the caller. */
struct pc_timer {
	struct pc_timer	*next;
	int64_t		 at_ms;
	void		(*fn)(void *arg);
	void		*arg;
	int		 armed;
};

int		 pc_http_global_init(void);	/* once, before threads */
void		 pc_http_global_cleanup(void);

/* Starts the loop's thread; NULL when it could not. */
struct pc_loop	*pc_loop_start(const struct pc_loop_opts *);
/*
 * Stops the thread. Calls still running or queued are dropped without
 * their callbacks, timers without firing: stop only when nobody waits.
 */
void		 pc_loop_stop(struct pc_loop *);

/* Queues a call; done(arg, result) follows exactly once. -1 (and no callback) when the loop stops or memory is out. */
int		 pc_loop_submit(struct pc_loop *, const struct pc_request *,
		    pc_done_fn done, void *arg);

/* Arms t to call fn(arg) on the loop's thread at at_ms (clock_ms()); t must not be armed. */
void		 pc_timer_set(struct pc_loop *, struct pc_timer *t, int64_t at_ms,
		    void (*fn)(void *), void *arg);
/* Disarms t: 1 when it had not fired (fn will not run), 0 when it has fired or is firing. */
int		 pc_timer_cancel(struct pc_loop *, struct pc_timer *t);

void		 pc_result_free(struct pc_result *);

/* An HTTP date (IMF-fixdate, RFC 850 or asctime) as seconds since the epoch, or -1. */
long		 pc_http_date(const char *);

#endif
