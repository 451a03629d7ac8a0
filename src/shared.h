/* shared.h: what several nodes share through Redis (BATCHSTATUS_SHARED): kept batches, the one call's lock, the 429 pause; never blocking, never an error page. */
#ifndef BATCHSTATUS_SHARED_H
#define BATCHSTATUS_SHARED_H

#include <stddef.h>

/*
 * The Redis keys, which the seals also name (an entry cannot be moved to
 * another key): a batch is SHARED_BATCH_KEY followed by customer/tracking.
 */
#define SHARED_KEY_PREFIX	"batchstatus:"
#define SHARED_BATCH_KEY	SHARED_KEY_PREFIX "b:"
#define SHARED_TOKEN_KEY	SHARED_KEY_PREFIX "token"
#define SHARED_REFRESH_KEY	SHARED_KEY_PREFIX "refresh"
#define SHARED_FOLLOWS_KEY	SHARED_KEY_PREFIX "follows"	/* a hash: customer/tracking -> a followed batch's sealed entry */
#define SHARED_FOLLOWER_KEY	SHARED_KEY_PREFIX "follower"	/* the follower's lease: its node's token */

struct shared_opts {
	const char	*url;		/* redis://HOST:PORT/DB or redis+unix:/PATH[?db=N] */
	const char	*password;	/* NULL: no AUTH */
	long		 timeout_ms;	/* a command's answer (and a connect) at most */
};

/* Checks a BATCHSTATUS_SHARED value; -1 with a message when it is not one of the two forms. */
int	shared_url_ok(const char *url, char *err, size_t errsz);

enum shared_claim_what {
	CLAIM_DOWN,	/* Redis is not usable now (down, slow, refused): go on alone */
	CLAIM_ENTRY,	/* another node's answer: data, len (check its seal) */
	CLAIM_PAUSED,	/* a 429 pauses every node: ms left */
	CLAIM_LOCKED,	/* this node makes the call: publish or release after */
	CLAIM_BUSY,	/* another node makes the call now: ask again shortly (ms: its lock's time left) */
};

struct shared_claim {
	enum shared_claim_what	 what;
	const char		*data;	/* CLAIM_ENTRY; valid during the callback only */
	size_t			 len;
	long			 ms;
	const char		*data2;	/* shared_token_claim: the newest refresh token's entry, any answer but DOWN; len2 0: none */
	size_t			 len2;
};

struct shared;

/*
 * Starts the thread that talks to Redis (its own epoll loop; hiredis's
 * asynchronous API). It connects, and reconnects every second while Redis
 * is away; until then every claim answers CLAIM_DOWN at once. NULL when
 * the thread could not start.
 */
struct shared	*shared_start(const struct shared_opts *);
/* Ends the thread; claims not answered yet answer CLAIM_DOWN. */
void		 shared_stop(struct shared *);

/*
 * For key (customer/tracking): another node's kept answer; else the 429
 * pause; else the call's lock (token, lock_ms: above the call's deadline),
 * taken for this node or held by another. done runs on the Redis thread
 * (post to the CPU pool from it), always exactly once, within the timeout.
 */
void	shared_claim(struct shared *, const char *key, const char *token,
	    long lock_ms, void (*done)(void *arg, const struct shared_claim *),
	    void *arg);
/* After the call: keep data under key for ttl_ms (0: not at all) and let go of the lock if token still holds it. */
void	shared_publish(struct shared *, const char *key, const void *data,
	    size_t len, long ttl_ms, const char *token);
/* After a call that brought nothing to keep: let go of the lock; pause_ms > 0: every node pauses that long (a 429). */
void	shared_release(struct shared *, const char *key, const char *token,
	    long pause_ms);
/*
 * The Partner Center token: another node's (data: its sealed entry), else
 * the sign-in's lock, taken (CLAIM_LOCKED) or held by another (CLAIM_BUSY);
 * data2 is the newest refresh token's entry whatever the answer. As
 * shared_claim otherwise.
 */
void	shared_token_claim(struct shared *, const char *token, long lock_ms,
	    void (*done)(void *arg, const struct shared_claim *), void *arg);
/*
 * After a sign-in: the token's entry for ttl_ms (until the others should
 * renew), the refresh token's entry when there is one (kept: it outlives
 * tokens), and the lock let go.
 */
void	shared_token_publish(struct shared *, const void *entry, size_t len,
	    long ttl_ms, const void *refresh, size_t rlen, const char *token);
/* After a failed sign-in: the lock let go. */
void	shared_token_release(struct shared *, const char *token);
/*
 * The follower's lease (notifications): renewed when token holds it, else
 * taken when nobody does, for ttl_ms. done (on the Redis thread):
 * CLAIM_LOCKED this node follows, CLAIM_BUSY another does, CLAIM_DOWN away.
 */
void	shared_lease(struct shared *, const char *token, long ttl_ms,
	    void (*done)(void *arg, const struct shared_claim *), void *arg);
/* At a stop: the lease let go if token still holds it, so another node follows at once; done as shared_lease's (any answer). */
void	shared_unlease(struct shared *, const char *token,
	    void (*done)(void *arg, const struct shared_claim *), void *arg);
/* A followed batch's entry under field (customer/tracking): replaced (replace 1), or only when there is none. */
void	shared_follow_put(struct shared *, const char *field, const void *data,
	    size_t len, int replace);
void	shared_follow_del(struct shared *, const char *field);
/*
 * Every followed batch's entry: each(arg, field, flen, data, len) for
 * each, then done(arg, claim) with CLAIM_ENTRY (all were read) or
 * CLAIM_DOWN; both on the Redis thread, done exactly once.
 */
void	shared_follows(struct shared *,
	    void (*each)(void *arg, const char *field, size_t flen,
	    const char *data, size_t len),
	    void (*done)(void *arg, const struct shared_claim *), void *arg);
/* Whether Redis answers now (for /metrics). */
int	shared_up(struct shared *);

#endif
