/* store.h: what must survive a restart (followed batches and the notifications owed), in an embedded SQLite database; the only file that knows SQLite. */
#ifndef BATCHSTATUS_STORE_H
#define BATCHSTATUS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "guid.h"

#define STORE_FILE	"batchstatus.db"	/* in the state directory */
#define STORE_WORD_MAX	47			/* outcome and status words kept */
#define STORE_NAME_MAX	255			/* a customer's name kept (bytes) */

/* A followed batch: running (ended 0), or what it came to. */
struct store_follow {
	char	customer[GUID_LEN + 1];
	char	tracking[GUID_LEN + 1];
	int64_t	since;		/* followed at (s since the epoch) */
	int64_t	ended;		/* found final, or given up on; 0: still followed */
	char	outcome[STORE_WORD_MAX + 1];	/* view_outcome_word, "still_running", or "" */
	char	status[STORE_WORD_MAX + 1];	/* Partner Center's word when it ended */
	long	total, failed, done;		/* devices */
	char	name[STORE_NAME_MAX + 1];	/* the customer's company name, or "" */
};

enum store_delivery_state { DELIVERY_PENDING, DELIVERY_SENT, DELIVERY_FAILED };

/* One notification owed to one target. */
struct store_delivery {
	int64_t	id;			/* set by the store */
	char	customer[GUID_LEN + 1];
	char	tracking[GUID_LEN + 1];
	char	target[65];		/* the target's fingerprint (hex SHA-256 of its line): no URL is stored */
	char	idem[GUID_LEN + 1];	/* Idempotency-Key: the same for every try */
	char	*body;			/* malloc'd, NUL-terminated */
	size_t	len;
	int64_t	created, next_at;	/* s since the epoch */
	int	attempts;
	int	state;			/* enum store_delivery_state */
};

struct store;

/*
 * Opens (creating) dir/STORE_FILE, mode 0600, in WAL mode, its tables
 * made when missing. NULL with the reason in err.
 */
struct store	*store_open(const char *dir, char *err, size_t errsz);
void		 store_close(struct store *);

/* Adds or replaces a followed batch. 0, or -1 (logged). */
int	store_follow_put(struct store *, const struct store_follow *);
/* Every followed batch, newest first; fn's non-zero stops. -1 on an error. */
int	store_follows(struct store *,
	    int (*fn)(void *arg, const struct store_follow *), void *arg);
/* Forgets batches that ended before before, and notifications settled before it. */
int	store_prune(struct store *, int64_t before);

/*
 * In one transaction: the follow as it ended, and the notifications it
 * owes (their ids set): a crash leaves both or neither. 0, or -1.
 */
int	store_finish(struct store *, const struct store_follow *,
	    struct store_delivery *d, size_t n);
/* A delivery's state, attempts and next try. */
int	store_delivery_update(struct store *, const struct store_delivery *);
/* Every pending delivery, oldest first (d->body, d->len bytes, valid during fn only). -1 on an error. */
int	store_deliveries(struct store *,
	    int (*fn)(void *arg, const struct store_delivery *), void *arg);

#endif
