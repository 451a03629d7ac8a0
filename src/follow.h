/* follow.h: following running batches until they finish, and telling the operator's targets once when they do; off without BATCHSTATUS_NOTIFY_FILE. */
#ifndef BATCHSTATUS_FOLLOW_H
#define BATCHSTATUS_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "guid.h"
#include "notify.h"
#include "seal.h"
#include "shared.h"
#include "store.h"

#define FOLLOW_RUNNING_MAX	1000	/* batches followed and not finished at most */
#define FOLLOW_KEPT_MAX		5000	/* followed batches known at most (finished ones are forgotten after 30 days) */
#define FOLLOW_TOKEN_MAX	96	/* a CSRF token's length at most */
#define FOLLOW_TOKEN_HOURS	24	/* a page's token is good this long */
#define FOLLOW_BODY_MAX		512	/* a follow request's form body at most (bytes) */

struct fetch_ctx;
struct pc_loop;
struct cpu_pool;

struct follow_opts {
	struct fetch_ctx		*fetch;		/* batches through the cache, single-flight and 429 pause */
	struct pc_loop			*loop;		/* deliveries */
	struct cpu_pool			*cpu;
	const struct notify_targets	*targets;	/* copied */
	const char			*state_dir;
	const struct seal_key		*key;		/* signs the follow form's tokens, fingerprints targets */
	const char			*public_url;	/* BATCHSTATUS_PUBLIC_URL: links in notifications; "" none */
	long				 follow_hours;	/* BATCHSTATUS_FOLLOW_HOURS */
	int				 follow_viewed;	/* BATCHSTATUS_FOLLOW_VIEWED */
	long				 send_timeout_ms;	/* one delivery attempt at most */
	int64_t				 (*now)(void);	/* seconds since the epoch; NULL: time() */
	/*
	 * BATCHSTATUS_SHARED: followed batches are kept in Redis too (sealed
	 * with key), and only the node holding the follower's lease polls
	 * them; while Redis is away each node polls those it took itself.
	 */
	struct shared			*shared;
};

/* A followed batch as the pages show it. */
struct follow_item {
	struct store_follow	 f;
	int			 notified;	/* every owed notification was accepted */
};

struct follow_counts {
	long	followed;	/* followed and not finished now */
	long	started;	/* follows begun since the start */
	long	sent;		/* notifications a target accepted */
	long	retried;	/* tries that failed and will be made again */
	long	failed;		/* notifications given up on (a 4xx, or a day of failures) */
};

struct follow;

/*
 * Opens the state database, takes up what was followed and owed before a
 * restart, and starts the follower's thread. NULL with the reason in err.
 */
struct follow	*follow_start(const struct follow_opts *, char *err, size_t errsz);
/* Ends the thread (polls and deliveries in flight are waited for, then left to the next start). */
void		 follow_stop(struct follow *);

/* The follow form's token for a batch: "<hour>.<HMAC>"; good for FOLLOW_TOKEN_HOURS. */
void	follow_token(struct follow *, const char *customer, const char *tracking,
	    int64_t now, char out[FOLLOW_TOKEN_MAX + 1]);
/* Whether token is one follow_token made for this batch, and not stale (nor from the future). */
int	follow_token_ok(struct follow *, const char *customer,
	    const char *tracking, const char *token, int64_t now);

enum follow_add {
	FOLLOW_ADDED,
	FOLLOW_ALREADY,		/* followed already (or finished and told) */
	FOLLOW_FULL,		/* FOLLOW_RUNNING_MAX followed now */
	FOLLOW_ERROR,		/* the database failed (logged) */
};
/* Follows a batch (customer and tracking: canonical GUIDs), kept before it returns. */
enum follow_add	follow_add(struct follow *, const char *customer,
		    const char *tracking);
/* BATCHSTATUS_FOLLOW_VIEWED: whether viewing a running batch follows it. */
int		follow_viewed(const struct follow *);

/* The batch's follow, when it is followed: 1 with *out filled, else 0. */
int	follow_get(struct follow *, const char *customer, const char *tracking,
	    struct follow_item *out);
/* Followed batches, newest first, of one customer (NULL: all) and that keep (NULL: any) lets through, at most max; how many. */
size_t	follow_list(struct follow *, const char *customer,
	    int (*keep)(const char *customer), struct follow_item *out,
	    size_t max);
void	follow_metrics(struct follow *, struct follow_counts *);
/* BATCHSTATUS_PUBLIC_URL without a trailing slash, or "". */
const char	*follow_public_url(const struct follow *);

#endif
