/* store.c: the SQLite database of followed batches and owed notifications: WAL, prepared statements only, one connection behind a lock. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS follows ("
    " customer TEXT NOT NULL, tracking TEXT NOT NULL,"
    " since INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0,"
    " outcome TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '',"
    " total INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
    " done INTEGER NOT NULL DEFAULT 0, name TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (customer, tracking));"
    "CREATE TABLE IF NOT EXISTS deliveries ("
    " id INTEGER PRIMARY KEY, customer TEXT NOT NULL, tracking TEXT NOT NULL,"
    " target TEXT NOT NULL, idem TEXT NOT NULL, body BLOB NOT NULL,"
    " created INTEGER NOT NULL, next_at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (state, id);";

/* Every statement the store runs, prepared once. */
enum stmt {
	S_FOLLOW_PUT,
	S_FOLLOWS,
	S_PRUNE_FOLLOWS,
	S_PRUNE_DELIVERIES,
	S_DELIVERY_ADD,
	S_DELIVERY_UPDATE,
	S_DELIVERIES,
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S__MAX
};

static const char *const sql[S__MAX] = {
	[S_FOLLOW_PUT] = "INSERT OR REPLACE INTO follows (customer, tracking,"
	    " since, ended, outcome, status, total, failed, done, name)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_FOLLOWS] = "SELECT customer, tracking, since, ended, outcome, status,"
	    " total, failed, done, name FROM follows ORDER BY since DESC",
	[S_PRUNE_FOLLOWS] = "DELETE FROM follows WHERE ended > 0 AND ended < ?",
	[S_PRUNE_DELIVERIES] = "DELETE FROM deliveries WHERE state <> 0 AND"
	    " next_at < ?",
	[S_DELIVERY_ADD] = "INSERT INTO deliveries (customer, tracking, target,"
	    " idem, body, created, next_at, attempts, state)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_DELIVERY_UPDATE] = "UPDATE deliveries SET state = ?, attempts = ?,"
	    " next_at = ? WHERE id = ?",
	[S_DELIVERIES] = "SELECT id, customer, tracking, target, idem, body,"
	    " created, next_at, attempts, state FROM deliveries WHERE state = 0"
	    " ORDER BY id",
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
};

struct store {
	pthread_mutex_t	 lock;
	sqlite3		*db;
	sqlite3_stmt	*st[S__MAX];
};

static void
copy_col(sqlite3_stmt *s, int col, char *out, size_t outsz)
{
	const unsigned char	*t = sqlite3_column_text(s, col);
	int			 n = sqlite3_column_bytes(s, col);

	if (t == NULL || n < 0)
		n = 0;
	if ((size_t)n >= outsz)
		n = (int)outsz - 1;
	if (n > 0)
		memcpy(out, t, (size_t)n);
	out[n] = '\0';
}

struct store *
store_open(const char *dir, char *err, size_t errsz)
{
	struct store	*s;
	char		 path[4096];
	char		*msg = NULL;
	int		 fd, i;

	if (snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE) >=
	    (int)sizeof(path)) {
		snprintf(err, errsz, "%s: the path is too long", dir);
		return NULL;
	}
	/* Made 0600 before SQLite opens it: what it holds is the operator's. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	close(fd);
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(s->db, 2000);
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=NORMAL;", NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, SCHEMA, NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	for (i = 0; i < S__MAX; i++)
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &s->st[i], NULL) !=
		    SQLITE_OK)
			goto fail;
	return s;
fail:
	snprintf(err, errsz, "%s: %s", path, msg != NULL ? msg :
	    s->db != NULL ? sqlite3_errmsg(s->db) : "cannot open");
	sqlite3_free(msg);
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < S__MAX; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Runs a statement that returns no rows and resets it; 0 or -1 (logged). */
static int
step_done(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_err("state database: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *t)
{
	sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
}

static int
follow_put(struct store *s, const struct store_follow *f)
{
	sqlite3_stmt *st = s->st[S_FOLLOW_PUT];

	bind_text(st, 1, f->customer);
	bind_text(st, 2, f->tracking);
	sqlite3_bind_int64(st, 3, f->since);
	sqlite3_bind_int64(st, 4, f->ended);
	bind_text(st, 5, f->outcome);
	bind_text(st, 6, f->status);
	sqlite3_bind_int64(st, 7, f->total);
	sqlite3_bind_int64(st, 8, f->failed);
	sqlite3_bind_int64(st, 9, f->done);
	bind_text(st, 10, f->name);
	return step_done(s, st);
}

int
store_follow_put(struct store *s, const struct store_follow *f)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = follow_put(s, f);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
store_follows(struct store *s, int (*fn)(void *, const struct store_follow *),
    void *arg)
{
	sqlite3_stmt		*st = s->st[S_FOLLOWS];
	struct store_follow	 f;
	int			 rc;

	pthread_mutex_lock(&s->lock);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&f, 0, sizeof(f));
		copy_col(st, 0, f.customer, sizeof(f.customer));
		copy_col(st, 1, f.tracking, sizeof(f.tracking));
		f.since = sqlite3_column_int64(st, 2);
		f.ended = sqlite3_column_int64(st, 3);
		copy_col(st, 4, f.outcome, sizeof(f.outcome));
		copy_col(st, 5, f.status, sizeof(f.status));
		f.total = (long)sqlite3_column_int64(st, 6);
		f.failed = (long)sqlite3_column_int64(st, 7);
		f.done = (long)sqlite3_column_int64(st, 8);
		copy_col(st, 9, f.name, sizeof(f.name));
		if (fn(arg, &f) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	pthread_mutex_unlock(&s->lock);
	if (rc != SQLITE_DONE) {
		log_err("state database: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int
store_prune(struct store *s, int64_t before)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	sqlite3_bind_int64(s->st[S_PRUNE_FOLLOWS], 1, before);
	rc = step_done(s, s->st[S_PRUNE_FOLLOWS]);
	sqlite3_bind_int64(s->st[S_PRUNE_DELIVERIES], 1, before);
	if (step_done(s, s->st[S_PRUNE_DELIVERIES]) == -1)
		rc = -1;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
store_finish(struct store *s, const struct store_follow *f,
    struct store_delivery *d, size_t n)
{
	sqlite3_stmt	*st = s->st[S_DELIVERY_ADD];
	size_t		 i;
	int		 rc = -1;

	pthread_mutex_lock(&s->lock);
	if (step_done(s, s->st[S_BEGIN]) == -1)
		goto out;
	if (follow_put(s, f) == -1)
		goto undo;
	for (i = 0; i < n; i++) {
		bind_text(st, 1, d[i].customer);
		bind_text(st, 2, d[i].tracking);
		bind_text(st, 3, d[i].target);
		bind_text(st, 4, d[i].idem);
		sqlite3_bind_blob(st, 5, d[i].body, (int)d[i].len,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 6, d[i].created);
		sqlite3_bind_int64(st, 7, d[i].next_at);
		sqlite3_bind_int(st, 8, d[i].attempts);
		sqlite3_bind_int(st, 9, d[i].state);
		if (step_done(s, st) == -1)
			goto undo;
		d[i].id = sqlite3_last_insert_rowid(s->db);
	}
	rc = step_done(s, s->st[S_COMMIT]);
	if (rc == 0)
		goto out;
undo:
	step_done(s, s->st[S_ROLLBACK]);
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
store_delivery_update(struct store *s, const struct store_delivery *d)
{
	sqlite3_stmt	*st = s->st[S_DELIVERY_UPDATE];
	int		 rc;

	pthread_mutex_lock(&s->lock);
	sqlite3_bind_int(st, 1, d->state);
	sqlite3_bind_int(st, 2, d->attempts);
	sqlite3_bind_int64(st, 3, d->next_at);
	sqlite3_bind_int64(st, 4, d->id);
	rc = step_done(s, st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
store_deliveries(struct store *s,
    int (*fn)(void *, const struct store_delivery *), void *arg)
{
	sqlite3_stmt		*st = s->st[S_DELIVERIES];
	struct store_delivery	 d;
	int			 rc;

	pthread_mutex_lock(&s->lock);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		d.id = sqlite3_column_int64(st, 0);
		copy_col(st, 1, d.customer, sizeof(d.customer));
		copy_col(st, 2, d.tracking, sizeof(d.tracking));
		copy_col(st, 3, d.target, sizeof(d.target));
		copy_col(st, 4, d.idem, sizeof(d.idem));
		d.body = (char *)sqlite3_column_blob(st, 5);
		d.len = (size_t)sqlite3_column_bytes(st, 5);
		d.created = sqlite3_column_int64(st, 6);
		d.next_at = sqlite3_column_int64(st, 7);
		d.attempts = sqlite3_column_int(st, 8);
		d.state = sqlite3_column_int(st, 9);
		if (d.body == NULL)
			continue;
		if (fn(arg, &d) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	pthread_mutex_unlock(&s->lock);
	if (rc != SQLITE_DONE) {
		log_err("state database: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}
