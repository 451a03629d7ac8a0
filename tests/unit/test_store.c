/* test_store.c: the state database: made 0600, follows and owed notifications kept across a reopen, one transaction for a finish, settled ones no longer pending, old ones pruned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "t.h"

#define C1	"47021739-3426-40bf-9601-61b4b6d7c793"
#define T1	"0127ed8e-ff72-4983-a3d8-e8d8bd378932"
#define T2	"9a0e1c7b-5c1d-4e2f-8a3b-000000000002"

static char dir[64];

static struct store *
fresh(void)
{
	char err[256];

	snprintf(dir, sizeof(dir), "/tmp/bs-store-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return NULL;
	return store_open(dir, err, sizeof(err));
}

static void
gone(struct store *s)
{
	char cmd[128];

	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

struct seen {
	struct store_follow	f[8];
	struct store_delivery	d[8];
	char			body[8][64];
	int			nf, nd;
};

static int
see_follow(void *arg, const struct store_follow *f)
{
	struct seen *s = arg;

	if (s->nf < 8)
		s->f[s->nf++] = *f;
	return 0;
}

static int
see_delivery(void *arg, const struct store_delivery *d)
{
	struct seen *s = arg;

	if (s->nd < 8) {
		s->d[s->nd] = *d;
		snprintf(s->body[s->nd], sizeof(s->body[0]), "%.*s",
		    (int)d->len, d->body);
		s->d[s->nd].body = NULL;
		s->nd++;
	}
	return 0;
}

static struct store_follow
follow_of(const char *t, int64_t since)
{
	struct store_follow f;

	memset(&f, 0, sizeof(f));
	snprintf(f.customer, sizeof(f.customer), "%s", C1);
	snprintf(f.tracking, sizeof(f.tracking), "%s", t);
	f.since = since;
	return f;
}

static void
test_the_file_is_made_0600_and_kept_across_a_reopen(void)
{
	struct store		*s = fresh();
	struct store_follow	 f = follow_of(T1, 100);
	struct seen		 seen;
	struct stat		 st;
	char			 path[128], err[256];

	CHECK(s != NULL);
	if (s == NULL)
		return;
	snprintf(f.name, sizeof(f.name), "Contoso 'quoted' \"name\"; DROP TABLE follows");
	CHECK(store_follow_put(s, &f) == 0);
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	store_close(s);
	s = store_open(dir, err, sizeof(err));
	CHECK(s != NULL);
	memset(&seen, 0, sizeof(seen));
	CHECK(s != NULL && store_follows(s, see_follow, &seen) == 0);
	CHECK(seen.nf == 1);
	CHECK_STR(seen.f[0].tracking, T1);
	CHECK_STR(seen.f[0].name, f.name);
	CHECK(seen.f[0].since == 100 && seen.f[0].ended == 0);
	gone(s);
}

static void
test_follows_come_newest_first_and_a_put_replaces(void)
{
	struct store		*s = fresh();
	struct store_follow	 a = follow_of(T1, 100), b = follow_of(T2, 200);
	struct seen		 seen;

	if (s == NULL) {
		CHECK(s != NULL);
		return;
	}
	CHECK(store_follow_put(s, &a) == 0 && store_follow_put(s, &b) == 0);
	a.ended = 300;
	snprintf(a.outcome, sizeof(a.outcome), "some_failed");
	a.total = 5;
	a.failed = 2;
	CHECK(store_follow_put(s, &a) == 0);
	memset(&seen, 0, sizeof(seen));
	CHECK(store_follows(s, see_follow, &seen) == 0 && seen.nf == 2);
	CHECK_STR(seen.f[0].tracking, T2);
	CHECK_STR(seen.f[1].outcome, "some_failed");
	CHECK(seen.f[1].ended == 300 && seen.f[1].total == 5 &&
	    seen.f[1].failed == 2);
	gone(s);
}

static void
test_a_finish_keeps_the_follow_and_its_deliveries_together(void)
{
	struct store		*s = fresh();
	struct store_follow	 f = follow_of(T1, 100);
	struct store_delivery	 d[2];
	struct seen		 seen;
	int			 i;

	if (s == NULL) {
		CHECK(s != NULL);
		return;
	}
	memset(d, 0, sizeof(d));
	for (i = 0; i < 2; i++) {
		snprintf(d[i].customer, sizeof(d[i].customer), "%s", C1);
		snprintf(d[i].tracking, sizeof(d[i].tracking), "%s", T1);
		snprintf(d[i].target, sizeof(d[i].target), "fp%d", i);
		snprintf(d[i].idem, sizeof(d[i].idem), "key-%d", i);
		d[i].body = i == 0 ? "{\"a\":1}" : "{\"b\":2}";
		d[i].len = 7;
		d[i].created = d[i].next_at = 500;
	}
	f.ended = 500;
	CHECK(store_finish(s, &f, d, 2) == 0);
	CHECK(d[0].id > 0 && d[1].id > d[0].id);
	memset(&seen, 0, sizeof(seen));
	CHECK(store_deliveries(s, see_delivery, &seen) == 0 && seen.nd == 2);
	CHECK_STR(seen.body[0], "{\"a\":1}");
	CHECK_STR(seen.d[1].idem, "key-1");
	CHECK_STR(seen.d[1].target, "fp1");
	memset(&seen, 0, sizeof(seen));
	CHECK(store_follows(s, see_follow, &seen) == 0 && seen.nf == 1 &&
	    seen.f[0].ended == 500);
	/* Sent: no longer pending; retried: still, with its try counted. */
	d[0].state = DELIVERY_SENT;
	d[0].attempts = 1;
	d[1].attempts = 2;
	d[1].next_at = 900;
	CHECK(store_delivery_update(s, &d[0]) == 0);
	CHECK(store_delivery_update(s, &d[1]) == 0);
	memset(&seen, 0, sizeof(seen));
	CHECK(store_deliveries(s, see_delivery, &seen) == 0 && seen.nd == 1);
	CHECK(seen.d[0].id == d[1].id && seen.d[0].attempts == 2 &&
	    seen.d[0].next_at == 900);
	gone(s);
}

static void
test_prune_forgets_old_ended_follows_only(void)
{
	struct store		*s = fresh();
	struct store_follow	 a = follow_of(T1, 100), b = follow_of(T2, 100);
	struct seen		 seen;

	if (s == NULL) {
		CHECK(s != NULL);
		return;
	}
	a.ended = 200;		/* ended long ago */
	CHECK(store_follow_put(s, &a) == 0 && store_follow_put(s, &b) == 0);
	CHECK(store_prune(s, 1000) == 0);
	memset(&seen, 0, sizeof(seen));
	CHECK(store_follows(s, see_follow, &seen) == 0 && seen.nf == 1);
	CHECK_STR(seen.f[0].tracking, T2);
	gone(s);
}

static void
test_an_unusable_directory_is_an_error(void)
{
	char err[256];

	CHECK(store_open("/nonexistent/bs-store", err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "/nonexistent/bs-store");
}

int
main(void)
{
	T_RUN(test_the_file_is_made_0600_and_kept_across_a_reopen);
	T_RUN(test_follows_come_newest_first_and_a_put_replaces);
	T_RUN(test_a_finish_keeps_the_follow_and_its_deliveries_together);
	T_RUN(test_prune_forgets_old_ended_follows_only);
	T_RUN(test_an_unusable_directory_is_an_error);
	return t_done("test_store");
}
