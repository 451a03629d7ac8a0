/* follow.c: the follower: polls followed running batches through fetch (the viewers' cache and budget), and delivers one notification per target when one is final, retrying for a day. */
#include "follow.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu.h"
#include "fetch.h"
#include "log.h"
#include "pc_http.h"
#include "text.h"
#include "view.h"

#define POLLS		4		/* batches asked for at once */
#define KEEP_DAYS	30		/* a finished follow is listed this long */
#define RETRY_FOR	86400		/* a notification is tried this long */
#define RETRY_MAX_GAP	3600		/* between two tries at most */
#define SEND_BODY_MAX	65536		/* a receiver's answer read at most (its words are not used) */
#define SYNC_EVERY	2		/* shared mode: the lease renewed and Redis's follows read this often (s) */
#define LEASE_MS	10000		/* the follower's lease lasts this long unless renewed */

/* A followed batch, and what the follower knows of it now. */
struct item {
	struct store_follow	 f;
	int			 used;
	int64_t			 next_poll;	/* s */
	int			 busy;		/* a poll asks for it now */
	int			 name_tried;	/* the customer's name was asked for */
	int			 owed;		/* notifications not yet settled */
	int			 mine;		/* followed on this node (polled here while Redis is away) */
};

/* One notification on its way to one target. */
struct dlv {
	struct dlv			*next;
	struct follow			*fl;
	struct store_delivery		 d;	/* d.body: malloc'd */
	const struct notify_target	*t;
	int				 inflight;
	int				 answered;	/* the loop's callback filled what follows */
	enum pc_outcome			 outcome;
	long				 http_status;
	long				 retry_after;
};

/* One ask of fetch on the follower's behalf. */
struct poll {
	struct follow		*fl;
	struct item		*it;
	struct fetch_waiter	 w;
	struct cpu_task		 task;
	struct cache_result	 r;
	int			 name;		/* asking for the customer's name (then the batch) */
	int			 active;
};

struct follow {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	pthread_t		 thread;
	int			 started, stop;
	struct follow_opts	 o;
	struct notify_targets	 targets;
	char			 fp[NOTIFY_TARGETS_MAX][SEAL_HEX_LEN + 1];
	char			 public_url[1024];
	struct store		*store;
	struct item		*items;		/* FOLLOW_KEPT_MAX */
	struct dlv		*dlvs;
	struct poll		 polls[POLLS];
	struct follow_counts	 n;
	int64_t			 pruned;
	int			 changed;	/* something the thread waits for happened (kick) */
	/* Shared mode. */
	char			 node[GUID_LEN + 1];	/* this node's lease token */
	int			 leader;		/* 1 holds the lease, 0 another node does, -1 Redis is away */
	int			 lease_pending, sync_pending, sync_ready;
	int			 leader_syncs;		/* Redis's follows merged since this node took the lease */
	int64_t			 next_sync;
	struct store_follow	*synced;		/* what the last read of Redis brought (FOLLOW_KEPT_MAX) */
	size_t			 nsynced;
};

/*
 * Wakes the follower's thread (the lock held). The flag keeps the news
 * when the thread is not waiting yet: it let go of the lock for a send or
 * the database, and would otherwise sleep through it.
 */
static void
kick(struct follow *fl)
{
	fl->changed = 1;
	pthread_cond_broadcast(&fl->cond);
}

static int64_t
now_s(const struct follow *fl)
{
	return fl->o.now != NULL ? fl->o.now() : (int64_t)time(NULL);
}

/* How long to wait before asking again: 5 s at first, then 60 s, then 5 min, by how long it has been followed. */
static int64_t
poll_gap(int64_t age)
{
	return age < 600 ? 5 : age < 3600 ? 60 : 300;
}

static struct item *
find(struct follow *fl, const char *c, const char *t)
{
	size_t i;

	for (i = 0; i < FOLLOW_KEPT_MAX; i++)
		if (fl->items[i].used && strcmp(fl->items[i].f.customer, c) == 0 &&
		    strcmp(fl->items[i].f.tracking, t) == 0)
			return &fl->items[i];
	return NULL;
}

static long
running(const struct follow *fl)
{
	long	 n = 0;
	size_t	 i;

	for (i = 0; i < FOLLOW_KEPT_MAX; i++)
		if (fl->items[i].used && fl->items[i].f.ended == 0)
			n++;
	return n;
}

/* A free slot; when none is, the longest-finished follow's (never a running one, nor one still owed notifications). */
static struct item *
free_slot(struct follow *fl)
{
	struct item	*old = NULL;
	size_t		 i;

	for (i = 0; i < FOLLOW_KEPT_MAX; i++) {
		struct item *it = &fl->items[i];

		if (!it->used)
			return it;
		if (it->f.ended != 0 && it->owed == 0 && !it->busy &&
		    (old == NULL || it->f.ended < old->f.ended))
			old = it;
	}
	if (old != NULL)
		memset(old, 0, sizeof(*old));
	return old;
}

/* A customer's name into out, cut (when it must be) between characters, never inside one. */
static void
copy_name(char *out, size_t outsz, const char *s)
{
	size_t n = 0, k, len = strlen(s);

	while (n < len && (k = utf8_seq((const unsigned char *)s + n,
	    len - n)) > 0 && n + k < outsz)
		n += k;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* ---------------------------------------------------------------- tokens */

static void
token_mac(struct follow *fl, const char *c, const char *t, long long hour,
    char out[SEAL_HEX_LEN + 1])
{
	char msg[GUID_LEN * 2 + 32];
	int  n;

	n = snprintf(msg, sizeof(msg), "%s/%s/%lld", c, t, hour);
	if (seal_mac_hex(fl->o.key, "batchstatus follow token", msg, (size_t)n,
	    out) == -1)
		out[0] = '\0';
}

void
follow_token(struct follow *fl, const char *c, const char *t, int64_t now,
    char out[FOLLOW_TOKEN_MAX + 1])
{
	char		 mac[SEAL_HEX_LEN + 1];
	long long	 hour = (long long)(now / 3600);

	token_mac(fl, c, t, hour, mac);
	snprintf(out, FOLLOW_TOKEN_MAX + 1, "%lld.%s", hour, mac);
}

int
follow_token_ok(struct follow *fl, const char *c, const char *t,
    const char *token, int64_t now)
{
	char		 mac[SEAL_HEX_LEN + 1], *end;
	long long	 hour;
	const char	*dot;

	if (token == NULL || strlen(token) > FOLLOW_TOKEN_MAX ||
	    (dot = strchr(token, '.')) == NULL || dot == token ||
	    strlen(dot + 1) != SEAL_HEX_LEN || token[0] < '0' || token[0] > '9')
		return 0;
	errno = 0;
	hour = strtoll(token, &end, 10);
	if (errno != 0 || end != dot || hour < 0)
		return 0;
	/* Made within the last FOLLOW_TOKEN_HOURS, and not in an hour still to come. */
	if (hour > now / 3600 || now / 3600 - hour >= FOLLOW_TOKEN_HOURS)
		return 0;
	token_mac(fl, c, t, hour, mac);
	return mac[0] != '\0' && seal_equal(mac, dot + 1, SEAL_HEX_LEN);
}

/* ---------------------------------------------------------------- what a notification says */

static const struct notify_target *
target_of(struct follow *fl, const char *fp)
{
	size_t i;

	for (i = 0; i < fl->targets.n; i++)
		if (strcmp(fl->fp[i], fp) == 0)
			return &fl->targets.t[i];
	return NULL;
}

/* The batch page's address in loc's words: the public URL, the path, ?lang= unless en-US. */
static void
page_url(struct follow *fl, const char *c, const char *t, enum locale loc,
    char *out, size_t outsz)
{
	if (fl->public_url[0] == '\0') {
		out[0] = '\0';
		return;
	}
	snprintf(out, outsz, "%s/customers/%s/batches/%s%s%s", fl->public_url,
	    c, t, loc != LOC_EN_US ? "?lang=" : "",
	    loc != LOC_EN_US ? i18n_tag(loc) : "");
}

/*
 * The notifications one batch owes, a body per target in its language
 * (v: its last answer, NULL when there was none). On a CPU worker: the
 * catalogs are read here. How many were made.
 */
static size_t
make_deliveries(struct follow *fl, const struct store_follow *f,
    enum notice_kind kind, const struct batch_view *v, int64_t now,
    struct store_delivery *d)
{
	struct notice	 n;
	struct buf	 b;
	char		 headline[512], counts[256], url[1400], tot[24], reg[24],
			 fail[24];
	size_t		 i, k, made = 0;

	for (i = 0; i < fl->targets.n; i++) {
		const struct notify_target	*t = &fl->targets.t[i];
		enum locale			 loc = t->locale;

		memset(&n, 0, sizeof(n));
		n.kind = kind;
		n.customer = f->customer;
		n.customer_name = f->name;
		n.tracking = f->tracking;
		n.status = f->status;
		n.outcome = f->outcome;
		n.title = i18n_text(loc, kind == NOTICE_FINISHED ?
		    "notify.title_finished" : "notify.title_still_running");
		if (v != NULL)
			view_headline(v, loc, headline, sizeof(headline));
		else
			snprintf(headline, sizeof(headline), "%s",
			    i18n_text(loc, "notify.no_answer"));
		n.headline = headline;
		snprintf(tot, sizeof(tot), "%ld", f->total);
		snprintf(reg, sizeof(reg), "%ld", f->done - f->failed > 0 ?
		    f->done - f->failed : 0);
		snprintf(fail, sizeof(fail), "%ld", f->failed);
		i18n_format3(counts, sizeof(counts), i18n_plural(loc,
		    "notify.counts", f->total), tot, reg, fail);
		n.counts_text = counts;
		page_url(fl, f->customer, f->tracking, loc, url, sizeof(url));
		n.url = url;
		n.link_text = i18n_text(loc, "notify.open");
		n.customer_label = i18n_text(loc, "notify.customer");
		n.tracking_label = i18n_text(loc, "notify.tracking");
		n.errors_label = i18n_text(loc, "notify.errors");
		n.total = (size_t)f->total;
		n.failed = (size_t)f->failed;
		n.registered = (size_t)(f->done - f->failed > 0 ?
		    f->done - f->failed : 0);
		n.running = (size_t)(f->total - f->done > 0 ?
		    f->total - f->done : 0);
		for (k = 0; v != NULL && k < v->nfixes &&
		    n.nerrors < NOTIFY_TOP_ERRORS; k++) {
			const struct fix_row	*r = &v->fixes[k];
			struct notice_error	*e = &n.errors[n.nerrors++];

			e->code = r->e != NULL ? (r->e->code[0] != '\0' ?
			    r->e->code : r->e->name) : r->code != NULL ?
			    r->code : "";
			e->name = r->e != NULL ? r->e->name : r->description != NULL ?
			    r->description : "";
			e->explanation = r->e != NULL ? i18n_text(loc, r->e->key) :
			    "";
			e->n = r->n;
		}
		n.at = now;
		buf_init(&b);
		if (notify_body(t->format, &n, &b) == -1 || b.failed) {
			log_err("notification for %s/%s to target %zu: out of "
			    "memory", f->customer, f->tracking, i + 1);
			buf_free(&b);
			continue;
		}
		memset(&d[made], 0, sizeof(d[made]));
		snprintf(d[made].customer, sizeof(d[made].customer), "%s",
		    f->customer);
		snprintf(d[made].tracking, sizeof(d[made].tracking), "%s",
		    f->tracking);
		memcpy(d[made].target, fl->fp[i], sizeof(d[made].target));
		guid_new(d[made].idem);
		d[made].body = buf_steal(&b, &d[made].len);
		d[made].created = now;
		d[made].next_at = now;
		d[made].state = DELIVERY_PENDING;
		made++;
	}
	return made;
}

/* Takes the made deliveries into the list (the lock held); they own their bodies now. */
static void
queue_deliveries(struct follow *fl, struct item *it,
    struct store_delivery *d, size_t n)
{
	struct dlv	*x;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if ((x = calloc(1, sizeof(*x))) == NULL) {
			free(d[i].body);
			continue;
		}
		x->fl = fl;
		x->d = d[i];
		x->t = target_of(fl, d[i].target);
		x->next = fl->dlvs;
		fl->dlvs = x;
		if (it != NULL)
			it->owed++;
	}
}

/* ---------------------------------------------------------------- shared mode */

/* A followed batch as Redis keeps it: tab-separated, the name last, sealed under its field. */
static void
share_follow(struct follow *fl, const struct store_follow *f, int replace)
{
	char		 field[2 * GUID_LEN + 2], name[2 * GUID_LEN + 32];
	struct buf	 plain, sealed;

	if (fl->o.shared == NULL)
		return;
	snprintf(field, sizeof(field), "%s/%s", f->customer, f->tracking);
	snprintf(name, sizeof(name), "batchstatus:follow:%s", field);
	buf_init(&plain);
	buf_init(&sealed);
	buf_printf(&plain, "%lld\t%lld\t%s\t%s\t%ld\t%ld\t%ld\t%s",
	    (long long)f->since, (long long)f->ended, f->outcome, f->status,
	    f->total, f->failed, f->done, f->name);
	if (!plain.failed && seal(fl->o.key, name, plain.data, plain.len,
	    &sealed) == 0)
		shared_follow_put(fl->o.shared, field, sealed.data, sealed.len,
		    replace);
	buf_free(&plain);
	buf_free(&sealed);
}

/* Reads one entry back (its seal checked): 0 with f filled, else -1. */
static int
unshare_follow(struct follow *fl, const char *field, size_t flen,
    const char *data, size_t len, struct store_follow *f)
{
	char		 fieldz[2 * GUID_LEN + 2], name[2 * GUID_LEN + 32], *text, *p,
			*w[8];
	const void	*pl;
	size_t		 plen, i;
	long long	 since, ended;

	if (flen != 2 * GUID_LEN + 1)
		return -1;
	memcpy(fieldz, field, flen);
	fieldz[flen] = '\0';
	snprintf(name, sizeof(name), "batchstatus:follow:%s", fieldz);
	if (unseal(fl->o.key, name, data, len, &pl, &plen) == -1 ||
	    (text = malloc(plen + 1)) == NULL)
		return -1;
	memcpy(text, pl, plen);
	text[plen] = '\0';
	for (i = 0, p = text; i < 8; i++) {
		w[i] = p;
		if (i < 7) {
			if ((p = strchr(p, '\t')) == NULL)
				break;
			*p++ = '\0';
		}
	}
	memset(f, 0, sizeof(*f));
	if (i < 8 || fieldz[GUID_LEN] != '/' || sscanf(w[0], "%lld", &since) != 1 ||
	    sscanf(w[1], "%lld", &ended) != 1) {
		free(text);
		return -1;
	}
	memcpy(f->customer, fieldz, GUID_LEN);
	memcpy(f->tracking, fieldz + GUID_LEN + 1, GUID_LEN);
	f->since = since;
	f->ended = ended;
	snprintf(f->outcome, sizeof(f->outcome), "%s", w[2]);
	snprintf(f->status, sizeof(f->status), "%s", w[3]);
	f->total = strtol(w[4], NULL, 10);
	f->failed = strtol(w[5], NULL, 10);
	f->done = strtol(w[6], NULL, 10);
	copy_name(f->name, sizeof(f->name), w[7]);
	free(text);
	return 0;
}

/* On the Redis thread. */
static void
lease_done(void *arg, const struct shared_claim *cl)
{
	struct follow *fl = arg;

	int was;

	pthread_mutex_lock(&fl->lock);
	was = fl->leader;
	fl->leader = cl->what == CLAIM_LOCKED ? 1 : cl->what == CLAIM_BUSY ? 0 :
	    -1;
	if (fl->leader == 1 && was != 1)
		fl->leader_syncs = 0;
	fl->lease_pending = 0;
	kick(fl);
	pthread_mutex_unlock(&fl->lock);
}

/* On the Redis thread: the lease was let go (or Redis is away). */
static void
unlease_done(void *arg, const struct shared_claim *cl)
{
	struct follow *fl = arg;

	(void)cl;
	pthread_mutex_lock(&fl->lock);
	fl->lease_pending = 0;
	kick(fl);
	pthread_mutex_unlock(&fl->lock);
}

static void
sync_each(void *arg, const char *field, size_t flen, const char *data,
    size_t len)
{
	struct follow		*fl = arg;
	struct store_follow	 f;

	if (unshare_follow(fl, field, flen, data, len, &f) == -1)
		return;
	pthread_mutex_lock(&fl->lock);
	if (fl->nsynced < FOLLOW_KEPT_MAX)
		fl->synced[fl->nsynced++] = f;
	pthread_mutex_unlock(&fl->lock);
}

static void
sync_done(void *arg, const struct shared_claim *cl)
{
	struct follow *fl = arg;

	pthread_mutex_lock(&fl->lock);
	fl->sync_pending = 0;
	fl->sync_ready = cl->what == CLAIM_ENTRY;
	if (!fl->sync_ready)
		fl->nsynced = 0;
	kick(fl);
	pthread_mutex_unlock(&fl->lock);
}

/*
 * What Redis says joins what this node knows (the lock held, let go
 * around the database): follows taken on other nodes, and how they
 * ended; what only this node knows goes to Redis.
 */
static void
merge_synced(struct follow *fl, int64_t now)
{
	struct store_follow	 f;
	struct item		*it;
	size_t			 i, k;

	for (i = 0; i < fl->nsynced; i++) {
		f = fl->synced[i];
		if ((it = find(fl, f.customer, f.tracking)) == NULL) {
			if (f.ended != 0 && f.ended < now - KEEP_DAYS * 86400) {
				if (fl->leader == 1) {
					char field[2 * GUID_LEN + 2];

					snprintf(field, sizeof(field), "%s/%s",
					    f.customer, f.tracking);
					shared_follow_del(fl->o.shared, field);
				}
				continue;
			}
			if ((it = free_slot(fl)) == NULL)
				continue;
			memset(it, 0, sizeof(*it));
			it->used = 1;
			it->f = f;
			it->next_poll = now;
		} else if (f.ended != 0 && it->f.ended == 0 && !it->busy) {
			it->f = f;
		} else if (it->f.ended != 0 && f.ended == 0) {
			share_follow(fl, &it->f, 1);
			continue;
		} else
			continue;
		pthread_mutex_unlock(&fl->lock);
		store_follow_put(fl->store, &f);
		pthread_mutex_lock(&fl->lock);
	}
	/* Taken here while Redis was away: the others learn of them now. */
	for (k = 0; k < FOLLOW_KEPT_MAX; k++) {
		it = &fl->items[k];
		if (!it->used)
			continue;
		for (i = 0; i < fl->nsynced; i++)
			if (strcmp(fl->synced[i].tracking, it->f.tracking) == 0 &&
			    strcmp(fl->synced[i].customer, it->f.customer) == 0)
				break;
		if (i == fl->nsynced && (it->f.ended == 0 ||
		    it->f.ended >= now - KEEP_DAYS * 86400))
			share_follow(fl, &it->f, 0);
	}
	fl->nsynced = 0;
	fl->sync_ready = 0;
	if (fl->leader_syncs < 2)
		fl->leader_syncs++;
}

/*
 * Whether this node polls it: alone always; shared, the lease's holder
 * once it has read Redis's follows twice since it took the lease (what
 * another node ended meanwhile, while Redis was away say, is known by
 * then), or its own while Redis is away.
 */
static int
polls_here(const struct follow *fl, const struct item *it)
{
	return fl->o.shared == NULL ||
	    (fl->leader == 1 && fl->leader_syncs >= 2) ||
	    (fl->leader == -1 && it->mine);
}

/* ---------------------------------------------------------------- polling */

static void	poll_ask(struct poll *);

/* The batch is final, or followed too long: it ends, and its notifications are owed (kept first, then queued). */
static void
poll_end(struct poll *p, enum notice_kind kind, const struct batch_view *v,
    int64_t now)
{
	struct follow		*fl = p->fl;
	struct store_follow	 f;
	struct store_delivery	 d[NOTIFY_TARGETS_MAX];
	size_t			 n, i;

	pthread_mutex_lock(&fl->lock);
	/* The lease may have moved while it was asked: its new holder ends it. */
	if (!polls_here(fl, p->it)) {
		p->it->next_poll = now + SYNC_EVERY;
		pthread_mutex_unlock(&fl->lock);
		return;
	}
	f = p->it->f;
	pthread_mutex_unlock(&fl->lock);
	f.ended = now;
	if (v != NULL) {
		snprintf(f.status, sizeof(f.status), "%s", v->b->status);
		snprintf(f.outcome, sizeof(f.outcome), "%s", kind ==
		    NOTICE_FINISHED ? view_outcome_word(v->outcome) :
		    "still_running");
		f.total = (long)v->b->ndevices;
		f.failed = (long)v->nfailed;
		f.done = (long)v->ndone;
	} else
		snprintf(f.outcome, sizeof(f.outcome), "still_running");
	n = make_deliveries(fl, &f, kind, v, now, d);
	if (store_finish(fl->store, &f, d, n) == -1) {
		/* Not kept: asked again later, nothing owed yet. */
		for (i = 0; i < n; i++)
			free(d[i].body);
		pthread_mutex_lock(&fl->lock);
		p->it->next_poll = now + 60;
		pthread_mutex_unlock(&fl->lock);
		return;
	}
	log_info("follow %s/%s: %s (%s); %zu notification%s owed",
	    f.customer, f.tracking, kind == NOTICE_FINISHED ? "finished" :
	    "still not finished, no longer followed", f.outcome, n,
	    n == 1 ? "" : "s");
	pthread_mutex_lock(&fl->lock);
	p->it->f = f;
	queue_deliveries(fl, p->it, d, n);
	pthread_mutex_unlock(&fl->lock);
	share_follow(fl, &f, 1);
}

/* What the batch's answer means for its follow: on a CPU worker. */
static void
poll_batch(struct poll *p)
{
	struct follow		*fl = p->fl;
	const struct cache_result *r = &p->r;
	struct batch_view	 v;
	int64_t			 now = now_s(fl), since, gap;
	int			 have = 0, over;

	pthread_mutex_lock(&fl->lock);
	since = p->it->f.since;
	pthread_mutex_unlock(&fl->lock);
	over = now - since >= fl->o.follow_hours * 3600;
	gap = poll_gap(now - since);
	if (r->err == BS_OK && r->batch != NULL &&
	    view_batch_build(&v, r->batch, p->it->f.customer,
	    p->it->f.tracking, now) == 0)
		have = 1;
	if (have && !v.running && batch_status_final(r->batch->status))
		poll_end(p, NOTICE_FINISHED, &v, now);
	else if (over)
		poll_end(p, NOTICE_STILL_RUNNING, have ? &v : NULL, now);
	else {
		/* A 429 pauses every call: no sooner than it says. */
		if (r->err == BS_ERR_THROTTLED && r->retry_after > gap)
			gap = r->retry_after;
		pthread_mutex_lock(&fl->lock);
		p->it->next_poll = now + gap;
		pthread_mutex_unlock(&fl->lock);
	}
	if (have)
		view_batch_free(&v);
}

/* An answer came (a CPU worker): the name, then the batch; the poll ends after the batch. */
static void
poll_answer(struct poll *p)
{
	struct follow *fl = p->fl;

	if (p->name) {
		const struct cache_result *r = &p->r;

		pthread_mutex_lock(&fl->lock);
		if (r->err == BS_OK && r->dir != NULL && r->dir->ncustomers > 0)
			copy_name(p->it->f.name, sizeof(p->it->f.name),
			    r->dir->customers[0].company_name);
		p->it->name_tried = 1;
		pthread_mutex_unlock(&fl->lock);
		fetch_release(fl->o.fetch, &p->r);
		p->name = 0;
		poll_ask(p);
		return;
	}
	poll_batch(p);
	fetch_release(fl->o.fetch, &p->r);
	pthread_mutex_lock(&fl->lock);
	p->it->busy = 0;
	p->active = 0;
	kick(fl);
	pthread_mutex_unlock(&fl->lock);
}

static void
poll_resumed(struct fetch_waiter *w)
{
	struct poll *p = (struct poll *)((char *)w - offsetof(struct poll, w));

	p->r = w->cw.result;
	poll_answer(p);
}

static void
poll_ready(struct cpu_task *t)
{
	poll_answer((struct poll *)((char *)t - offsetof(struct poll, task)));
}

/* Asks fetch, as a quiet viewer would: the answer on a CPU worker either way. */
static void
poll_ask(struct poll *p)
{
	struct upstream_ask	 ask;
	char			 corr[GUID_LEN + 1];

	memset(&ask, 0, sizeof(ask));
	ask.kind = p->name ? RES_CUSTOMER : RES_BATCH;
	memcpy(ask.customer, p->it->f.customer, sizeof(ask.customer));
	memcpy(ask.tracking, p->it->f.tracking, sizeof(ask.tracking));
	guid_new(corr);
	memset(&p->w, 0, sizeof(p->w));
	p->w.resume = poll_resumed;
	memset(&p->r, 0, sizeof(p->r));
	if (fetch_ask(p->fl->o.fetch, &ask, corr, FETCH_QUIET, &p->w, &p->r) ==
	    FETCH_READY) {
		p->task.fn = poll_ready;
		cpu_post(p->fl->o.cpu, &p->task, CPU_WORK);
	}
}

/* ---------------------------------------------------------------- deliveries */

static void
sent(void *arg, struct pc_result *res)
{
	struct dlv	*x = arg;
	struct follow	*fl = x->fl;
	long		 ra;

	/* Seconds, or an HTTP date; at most an hour either way. */
	ra = 0;
	if (res->retry_after[0] >= '0' && res->retry_after[0] <= '9')
		ra = strtol(res->retry_after, NULL, 10);
	else if (res->retry_after[0] != '\0' &&
	    (ra = pc_http_date(res->retry_after)) > 0)
		ra -= (long)time(NULL);
	pthread_mutex_lock(&fl->lock);
	x->outcome = res->outcome;
	x->http_status = res->http_status;
	x->retry_after = ra <= 0 ? 0 : ra > RETRY_MAX_GAP ? RETRY_MAX_GAP : ra;
	x->answered = 1;
	kick(fl);
	pthread_mutex_unlock(&fl->lock);
	pc_result_free(res);
}

static void
submit(struct follow *fl, struct dlv *x)
{
	struct pc_request	 rq;
	char			 idem[64];
	const char		*headers[4];

	snprintf(idem, sizeof(idem), "Idempotency-Key: %s", x->d.idem);
	headers[0] = "Content-Type: application/json; charset=utf-8";
	headers[1] = idem;
	headers[2] = "Accept: application/json, text/plain, */*";
	headers[3] = NULL;
	memset(&rq, 0, sizeof(rq));
	rq.url = x->t->url;
	rq.headers = headers;
	rq.post = x->d.body;
	rq.post_len = x->d.len;
	rq.timeout_ms = fl->o.send_timeout_ms;
	rq.max_body = SEND_BODY_MAX;
	x->inflight = 1;
	x->answered = 0;
	if (pc_loop_submit(fl->o.loop, &rq, sent, x) == -1) {
		x->inflight = 0;
		x->outcome = PC_INTERNAL;
		x->http_status = 0;
		x->answered = 1;
	}
}

/* Whether an answer or a failure is worth another try: timeouts, connection trouble, 408, 425, 429 and 5xx. */
static int
retryable(const struct dlv *x)
{
	/* An answer past the bound (a proxy's error page, say) has no status we read: tried again; the key makes that safe. */
	if (x->outcome != PC_ANSWER)
		return 1;
	return x->http_status == 408 || x->http_status == 425 ||
	    x->http_status == 429 || x->http_status >= 500;
}

static void
unlink_dlv(struct follow *fl, struct dlv *x)
{
	struct dlv **pp;

	for (pp = &fl->dlvs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			return;
		}
}

/* A try ended (the lock held, dropped around the database): sent, given up, or tried again later. */
static void
settle(struct follow *fl, struct dlv *x, int64_t now)
{
	struct item	*it;
	const char	*fmt = x->t != NULL ? notify_format_name(x->t->format) :
			    "?";
	int		 ok = x->outcome == PC_ANSWER && x->http_status >= 200 &&
			    x->http_status < 300;
	int64_t		 gap;

	x->inflight = 0;
	x->answered = 0;
	x->d.attempts++;
	if (ok) {
		x->d.state = DELIVERY_SENT;
		fl->n.sent++;
		log_info("notification %s (%s) for %s/%s: accepted (HTTP %ld) "
		    "at try %d", x->d.idem, fmt, x->d.customer, x->d.tracking,
		    x->http_status, x->d.attempts);
	} else if (!retryable(x) || now - x->d.created >= RETRY_FOR) {
		x->d.state = DELIVERY_FAILED;
		fl->n.failed++;
		log_warn("notification %s (%s) for %s/%s: given up at try %d "
		    "(%s%ld)", x->d.idem, fmt, x->d.customer, x->d.tracking,
		    x->d.attempts, x->outcome == PC_ANSWER ? "HTTP " :
		    "no answer ", x->outcome == PC_ANSWER ? x->http_status :
		    (long)x->outcome);
	} else {
		gap = 2L << (x->d.attempts < 12 ? x->d.attempts - 1 : 11);
		if (gap > RETRY_MAX_GAP)
			gap = RETRY_MAX_GAP;
		if (x->retry_after > gap)
			gap = x->retry_after;
		x->d.next_at = now + gap;
		fl->n.retried++;
		log_warn("notification %s (%s) for %s/%s: try %d failed (%s%ld); "
		    "again in %lld s", x->d.idem, fmt, x->d.customer,
		    x->d.tracking, x->d.attempts, x->outcome == PC_ANSWER ?
		    "HTTP " : "no answer ", x->outcome == PC_ANSWER ?
		    x->http_status : (long)x->outcome, (long long)gap);
	}
	if (x->d.state != DELIVERY_PENDING)
		x->d.next_at = now;
	pthread_mutex_unlock(&fl->lock);
	store_delivery_update(fl->store, &x->d);
	pthread_mutex_lock(&fl->lock);
	if (x->d.state != DELIVERY_PENDING) {
		if ((it = find(fl, x->d.customer, x->d.tracking)) != NULL &&
		    it->owed > 0)
			it->owed--;
		unlink_dlv(fl, x);
		free(x->d.body);
		free(x);
	}
}

/* ---------------------------------------------------------------- the thread */

static int
busy(const struct follow *fl)
{
	const struct dlv	*x;
	size_t			 i;

	for (i = 0; i < POLLS; i++)
		if (fl->polls[i].active)
			return 1;
	for (x = fl->dlvs; x != NULL; x = x->next)
		if (x->inflight)
			return 1;
	return fl->lease_pending || fl->sync_pending;
}

static void *
run(void *arg)
{
	struct follow	*fl = arg;
	struct dlv	*x;
	struct timespec	 ts;
	int64_t		 now, wake;
	size_t		 i, k;
	int		 again;

	pthread_mutex_lock(&fl->lock);
	while (!fl->stop || busy(fl)) {
		fl->changed = 0;
		now = now_s(fl);
		wake = now + 60;
		/* Tries that ended. */
		do {
			again = 0;
			for (x = fl->dlvs; x != NULL; x = x->next)
				if (x->answered) {
					settle(fl, x, now);
					again = 1;
					break;
				}
		} while (again);
		if (!fl->stop) {
			/* Notifications due. */
			for (x = fl->dlvs; x != NULL; x = x->next) {
				if (x->inflight || x->answered)
					continue;
				if (x->t == NULL) {
					/* Its target left the file: nobody to tell. */
					x->outcome = PC_ANSWER;
					x->http_status = 410;
					x->answered = 1;
					wake = now;
				} else if (x->d.next_at <= now)
					submit(fl, x);
				else if (x->d.next_at < wake)
					wake = x->d.next_at;
			}
			/* Shared: the lease, and what the other nodes follow. */
			if (fl->o.shared != NULL) {
				if (fl->sync_ready)
					merge_synced(fl, now);
				if (now >= fl->next_sync && !fl->lease_pending &&
				    !fl->sync_pending) {
					fl->next_sync = now + SYNC_EVERY;
					fl->lease_pending = fl->sync_pending = 1;
					fl->nsynced = 0;
					pthread_mutex_unlock(&fl->lock);
					shared_lease(fl->o.shared, fl->node, LEASE_MS,
					    lease_done, fl);
					shared_follows(fl->o.shared, sync_each,
					    sync_done, fl);
					pthread_mutex_lock(&fl->lock);
				}
				/* Not while an answer is owed: it clears the flag, and kicks. */
				if (!fl->lease_pending && !fl->sync_pending &&
				    fl->next_sync < wake)
					wake = fl->next_sync;
			}
			/* Batches due. */
			for (i = 0; i < FOLLOW_KEPT_MAX; i++) {
				struct item *it = &fl->items[i];

				if (!it->used || it->f.ended != 0 || it->busy ||
				    !polls_here(fl, it))
					continue;
				if (it->next_poll > now) {
					if (it->next_poll < wake)
						wake = it->next_poll;
					continue;
				}
				for (k = 0; k < POLLS && fl->polls[k].active; k++)
					;
				if (k == POLLS)
					break;
				fl->polls[k].active = 1;
				fl->polls[k].it = it;
				fl->polls[k].name = it->f.name[0] == '\0' &&
				    !it->name_tried;
				it->busy = 1;
				pthread_mutex_unlock(&fl->lock);
				poll_ask(&fl->polls[k]);
				pthread_mutex_lock(&fl->lock);
			}
			if (now - fl->pruned >= 3600) {
				fl->pruned = now;
				pthread_mutex_unlock(&fl->lock);
				store_prune(fl->store, now - KEEP_DAYS * 86400);
				pthread_mutex_lock(&fl->lock);
				for (i = 0; i < FOLLOW_KEPT_MAX; i++)
					if (fl->items[i].used &&
					    fl->items[i].f.ended != 0 &&
					    fl->items[i].owed == 0 &&
					    !fl->items[i].busy &&
					    fl->items[i].f.ended <
					    now - KEEP_DAYS * 86400)
						memset(&fl->items[i], 0,
						    sizeof(fl->items[i]));
			}
		}
		fl->n.followed = running(fl);
		for (x = fl->dlvs; x != NULL; x = x->next)
			if (x->answered)
				wake = now;
		if (fl->sync_ready && !fl->stop)
			wake = now;
		if (wake <= now || fl->changed)
			continue;
		/* The lock was let go above (a send, the database): a stop may have come meanwhile. */
		if (fl->stop) {
			if (!busy(fl))
				break;
			wake = now + 1;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wake - now > 60 ? 60 : (time_t)(wake - now);
		pthread_cond_timedwait(&fl->cond, &fl->lock, &ts);
	}
	pthread_mutex_unlock(&fl->lock);
	return NULL;
}

/* ---------------------------------------------------------------- start, stop, the pages' side */

static int
take_follow(void *arg, const struct store_follow *f)
{
	struct follow	*fl = arg;
	struct item	*it;

	if ((it = free_slot(fl)) == NULL)
		return 0;
	it->used = 1;
	it->f = *f;
	it->next_poll = 0;
	return 0;
}

static int
take_delivery(void *arg, const struct store_delivery *d)
{
	struct follow		*fl = arg;
	struct store_delivery	 c = *d;

	if ((c.body = malloc(d->len + 1)) == NULL)
		return 0;
	memcpy(c.body, d->body, d->len);
	c.body[d->len] = '\0';
	queue_deliveries(fl, find(fl, d->customer, d->tracking), &c, 1);
	return 0;
}

struct follow *
follow_start(const struct follow_opts *o, char *err, size_t errsz)
{
	struct follow	*fl;
	char		 line[NOTIFY_URL_MAX + 16];
	size_t		 i;
	int		 n;

	if ((fl = calloc(1, sizeof(*fl))) == NULL ||
	    (fl->items = calloc(FOLLOW_KEPT_MAX, sizeof(*fl->items))) == NULL) {
		free(fl);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	fl->o = *o;
	fl->targets = *o->targets;
	fl->o.targets = &fl->targets;
	snprintf(fl->public_url, sizeof(fl->public_url), "%s",
	    o->public_url != NULL ? o->public_url : "");
	n = (int)strlen(fl->public_url);
	while (n > 0 && fl->public_url[n - 1] == '/')
		fl->public_url[--n] = '\0';
	for (i = 0; i < fl->targets.n; i++) {
		n = snprintf(line, sizeof(line), "%s %s",
		    notify_format_name(fl->targets.t[i].format),
		    fl->targets.t[i].url);
		if (seal_mac_hex(o->key, "batchstatus notify target", line,
		    (size_t)n, fl->fp[i]) == -1) {
			snprintf(err, errsz, "cannot fingerprint the targets");
			goto fail;
		}
	}
	for (i = 0; i < POLLS; i++)
		fl->polls[i].fl = fl;
	if (o->shared != NULL && (fl->synced = calloc(FOLLOW_KEPT_MAX,
	    sizeof(*fl->synced))) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	guid_new(fl->node);
	fl->leader = 0;
	pthread_mutex_init(&fl->lock, NULL);
	pthread_cond_init(&fl->cond, NULL);
	if ((fl->store = store_open(o->state_dir, err, errsz)) == NULL)
		goto fail_lock;
	if (store_follows(fl->store, take_follow, fl) == -1 ||
	    store_deliveries(fl->store, take_delivery, fl) == -1) {
		snprintf(err, errsz, "cannot read the state database in %s",
		    o->state_dir);
		goto fail_lock;
	}
	fl->pruned = 0;
	fl->n.followed = running(fl);
	if (pthread_create(&fl->thread, NULL, run, fl) != 0) {
		snprintf(err, errsz, "cannot start the follower's thread");
		goto fail_lock;
	}
	fl->started = 1;
	return fl;
fail_lock:
	pthread_mutex_destroy(&fl->lock);
	pthread_cond_destroy(&fl->cond);
fail:
	{
		struct dlv *x, *nx;

		for (x = fl->dlvs; x != NULL; x = nx) {
			nx = x->next;
			free(x->d.body);
			free(x);
		}
	}
	store_close(fl->store);
	free(fl->synced);
	free(fl->items);
	free(fl);
	return NULL;
}

void
follow_stop(struct follow *fl)
{
	struct dlv *x, *nx;

	if (fl == NULL)
		return;
	pthread_mutex_lock(&fl->lock);
	fl->stop = 1;
	kick(fl);
	pthread_mutex_unlock(&fl->lock);
	pthread_join(fl->thread, NULL);
	/* The lease let go, so that another node follows now, not when it expires. */
	if (fl->o.shared != NULL && fl->leader == 1) {
		pthread_mutex_lock(&fl->lock);
		fl->lease_pending = 1;
		pthread_mutex_unlock(&fl->lock);
		shared_unlease(fl->o.shared, fl->node, unlease_done, fl);
		pthread_mutex_lock(&fl->lock);
		while (fl->lease_pending)
			pthread_cond_wait(&fl->cond, &fl->lock);
		pthread_mutex_unlock(&fl->lock);
	}
	for (x = fl->dlvs; x != NULL; x = nx) {
		nx = x->next;
		free(x->d.body);
		free(x);
	}
	store_close(fl->store);
	pthread_mutex_destroy(&fl->lock);
	pthread_cond_destroy(&fl->cond);
	free(fl->synced);
	free(fl->items);
	free(fl);
}

enum follow_add
follow_add(struct follow *fl, const char *c, const char *t)
{
	struct item		*it;
	struct store_follow	 f;
	int64_t			 now = now_s(fl);
	int			 rc;

	pthread_mutex_lock(&fl->lock);
	if (find(fl, c, t) != NULL) {
		pthread_mutex_unlock(&fl->lock);
		return FOLLOW_ALREADY;
	}
	if (running(fl) >= FOLLOW_RUNNING_MAX || (it = free_slot(fl)) == NULL) {
		pthread_mutex_unlock(&fl->lock);
		return FOLLOW_FULL;
	}
	/* Taken (busy: neither polled nor given away) while the database writes it, the lock let go. */
	memset(it, 0, sizeof(*it));
	snprintf(it->f.customer, sizeof(it->f.customer), "%s", c);
	snprintf(it->f.tracking, sizeof(it->f.tracking), "%s", t);
	it->f.since = now;
	it->used = it->busy = it->mine = 1;
	f = it->f;
	pthread_mutex_unlock(&fl->lock);
	rc = store_follow_put(fl->store, &f);
	pthread_mutex_lock(&fl->lock);
	if (rc == -1) {
		memset(it, 0, sizeof(*it));
		pthread_mutex_unlock(&fl->lock);
		return FOLLOW_ERROR;
	}
	it->busy = 0;
	/* Shared: the lease's holder hears of it at its next read of Redis, and may know how it ended. */
	it->next_poll = fl->o.shared != NULL ? now + 2 * SYNC_EVERY : now;
	fl->n.started++;
	fl->n.followed = running(fl);
	kick(fl);
	pthread_mutex_unlock(&fl->lock);
	log_info("follow %s/%s: followed", c, t);
	share_follow(fl, &f, 0);
	return FOLLOW_ADDED;
}

int
follow_viewed(const struct follow *fl)
{
	return fl != NULL && fl->o.follow_viewed;
}

static void
item_out(const struct item *it, struct follow_item *out)
{
	out->f = it->f;
	out->notified = it->f.ended != 0 && it->owed == 0;
}

int
follow_get(struct follow *fl, const char *c, const char *t,
    struct follow_item *out)
{
	struct item	*it;
	int		 found = 0;

	pthread_mutex_lock(&fl->lock);
	if ((it = find(fl, c, t)) != NULL) {
		item_out(it, out);
		found = 1;
	}
	pthread_mutex_unlock(&fl->lock);
	return found;
}

size_t
follow_list(struct follow *fl, const char *customer,
    int (*keep)(const char *), struct follow_item *out, size_t max)
{
	size_t i, j, n = 0;

	pthread_mutex_lock(&fl->lock);
	for (i = 0; i < FOLLOW_KEPT_MAX; i++) {
		const struct item *it = &fl->items[i];

		if (!it->used || (customer != NULL &&
		    strcmp(it->f.customer, customer) != 0) ||
		    (keep != NULL && !keep(it->f.customer)))
			continue;
		/* Newest first: an insertion into the max kept. */
		for (j = n; j > 0 && out[j - 1].f.since < it->f.since; j--)
			if (j < max)
				out[j] = out[j - 1];
		if (j < max) {
			item_out(it, &out[j]);
			if (n < max)
				n++;
		}
	}
	pthread_mutex_unlock(&fl->lock);
	return n;
}

void
follow_metrics(struct follow *fl, struct follow_counts *out)
{
	pthread_mutex_lock(&fl->lock);
	*out = fl->n;
	out->followed = running(fl);
	pthread_mutex_unlock(&fl->lock);
}

const char *
follow_public_url(const struct follow *fl)
{
	return fl->public_url;
}
