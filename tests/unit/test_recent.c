/* test_recent.c: the recent-lookups cookie: written and read back, kept to ten, anything tampered, foreign or oversized ignored; its key made once, mode 0600. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recent.h"
#include "t.h"

#define C1	"47021739-3426-40bf-9601-61b4b6d7c793"
#define T1	"0127ed8e-ff72-4983-a3d8-e8d8bd378932"

static struct seal_key
key_of(const char *s)
{
	struct seal_key k;

	memset(&k, 0, sizeof(k));
	k.len = strlen(s);
	memcpy(k.bytes, s, k.len);
	return k;
}

/* A tracking ID numbered i. */
static const char *
tid(int i)
{
	static char b[8][GUID_LEN + 1];
	static int n;
	char *p = b[n++ % 8];

	snprintf(p, GUID_LEN + 1, "00000000-0000-4000-8000-%012d", i);
	return p;
}

static int
round_trip(const struct recent *r, const struct seal_key *k, struct recent *out)
{
	char	 v[RECENT_VALUE_MAX + 1], cookie[RECENT_VALUE_MAX + 64];

	if (recent_write(r, k, v, sizeof(v)) < 0)
		return -1;
	snprintf(cookie, sizeof(cookie), "a=1; " RECENT_COOKIE "=%s; b=2", v);
	return recent_read(cookie, k, out);
}

static void
test_round_trips_zero_one_and_ten(void)
{
	struct seal_key	 k = key_of("0123456789abcdef0123456789abcdef");
	struct recent	 r, got;
	char		 v[RECENT_VALUE_MAX + 1];
	int		 i;

	memset(&r, 0, sizeof(r));
	CHECK(round_trip(&r, &k, &got) == 0 && got.n == 0);
	CHECK(recent_add(&r, C1, T1, "some_failed") == 0);
	CHECK(round_trip(&r, &k, &got) == 0 && got.n == 1);
	CHECK_STR(got.items[0].customer, C1);
	CHECK_STR(got.items[0].tracking, T1);
	CHECK_STR(got.items[0].outcome, "some_failed");
	/* An outcome word of 24 letters is none of ours: the list stays as it was. */
	CHECK(recent_add(&r, C1, tid(0), "all_registered_long_name") == -1);
	CHECK(r.n == 1);
	for (i = 0; i < 12; i++)
		CHECK(recent_add(&r, C1, tid(i), "all_registered") == 0);
	CHECK(r.n == RECENT_MAX);
	CHECK_STR(r.items[0].tracking, tid(11));
	CHECK_STR(r.items[9].tracking, tid(2));
	CHECK(recent_write(&r, &k, v, sizeof(v)) > 0 && strlen(v) <=
	    RECENT_VALUE_MAX);
	CHECK(round_trip(&r, &k, &got) == 0 && got.n == RECENT_MAX);
	CHECK(memcmp(&got, &r, sizeof(r)) == 0);
}

static void
test_add_moves_a_repeat_first_and_refuses_bad_items(void)
{
	struct recent r;

	memset(&r, 0, sizeof(r));
	CHECK(recent_add(&r, C1, tid(1), "running") == 0);
	CHECK(recent_add(&r, C1, tid(2), "running") == 0);
	CHECK(recent_add(&r, C1, tid(1), "all_failed") == 0);
	CHECK(r.n == 2);
	CHECK_STR(r.items[0].tracking, tid(1));
	CHECK_STR(r.items[0].outcome, "all_failed");
	CHECK(recent_add(&r, "47021739-3426-40BF-9601-61b4b6d7c793", T1, "") ==
	    -1);
	CHECK(recent_add(&r, C1, "nope", "") == -1);
	CHECK(recent_add(&r, C1, T1, "Bad-Word") == -1);
	CHECK(recent_add(&r, C1, T1, "abcdefghijklmnopqrstuvwx") == -1);
	CHECK(r.n == 2);
	recent_remove(&r, C1, tid(1));
	CHECK(r.n == 1);
	CHECK_STR(r.items[0].tracking, tid(2));
}

static void
test_tampered_foreign_and_odd_cookies_are_ignored(void)
{
	struct seal_key	 k = key_of("0123456789abcdef0123456789abcdef");
	struct seal_key	 other = key_of("fedcba9876543210fedcba9876543210");
	struct recent	 r, got;
	char		 v[RECENT_VALUE_MAX + 1], c[RECENT_VALUE_MAX + 128];
	size_t		 n, i;

	memset(&r, 0, sizeof(r));
	recent_add(&r, C1, T1, "running");
	n = (size_t)recent_write(&r, &k, v, sizeof(v));
	CHECK(recent_read(NULL, &k, &got) == -1);
	CHECK(recent_read("a=b; c=d", &k, &got) == -1);
	snprintf(c, sizeof(c), RECENT_COOKIE "=%s", v);
	CHECK(recent_read(c, &other, &got) == -1 && got.n == 0);
	snprintf(c, sizeof(c), RECENT_COOKIE "=\"%s\"", v);
	CHECK(recent_read(c, &k, &got) == 0 && got.n == 1);
	for (i = 0; i < n; i += n / 7 + 1) {
		snprintf(c, sizeof(c), RECENT_COOKIE "=%s", v);
		c[strlen(RECENT_COOKIE) + 1 + i] =
		    c[strlen(RECENT_COOKIE) + 1 + i] == 'A' ? 'B' : 'A';
		CHECK(recent_read(c, &k, &got) == -1);
	}
	snprintf(c, sizeof(c), RECENT_COOKIE "=%.*s", (int)(n - 3), v);
	CHECK(recent_read(c, &k, &got) == -1);
	snprintf(c, sizeof(c), RECENT_COOKIE "=%s=", v);
	CHECK(recent_read(c, &k, &got) == -1);
	snprintf(c, sizeof(c), RECENT_COOKIE "=%s+", v);
	CHECK(recent_read(c, &k, &got) == -1);
	memset(c, 'A', sizeof(c));
	memcpy(c, RECENT_COOKIE "=", strlen(RECENT_COOKIE) + 1);
	c[strlen(RECENT_COOKIE) + 1 + RECENT_VALUE_MAX + 1] = '\0';
	CHECK(recent_read(c, &k, &got) == -1);
	/* The first bs_recent counts. */
	snprintf(c, sizeof(c), RECENT_COOKIE "=junk; " RECENT_COOKIE "=%s", v);
	CHECK(recent_read(c, &k, &got) == -1);
	snprintf(c, sizeof(c), "x" RECENT_COOKIE "=junk; " RECENT_COOKIE "=%s", v);
	CHECK(recent_read(c, &k, &got) == 0);
}

static void
test_the_key_is_made_once_with_mode_0600(void)
{
	char		 dir[] = "/tmp/test_recent.XXXXXX", path[64], err[256];
	struct seal_key	 a, b;
	struct stat	 st;
	FILE		*f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/recent-key", dir);
	CHECK(recent_key_load_or_create(path, &a, err, sizeof(err)) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(a.len == 64);
	CHECK(recent_key_load_or_create(path, &b, err, sizeof(err)) == 0);
	CHECK(a.len == b.len && memcmp(a.bytes, b.bytes, a.len) == 0);
	unlink(path);
	CHECK((f = fopen(path, "w")) != NULL);
	fputs("0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	chmod(path, 0644);
	CHECK(recent_key_load_or_create(path, &b, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, path);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	T_RUN(test_round_trips_zero_one_and_ten);
	T_RUN(test_add_moves_a_repeat_first_and_refuses_bad_items);
	T_RUN(test_tampered_foreign_and_odd_cookies_are_ignored);
	T_RUN(test_the_key_is_made_once_with_mode_0600);
	return t_done("test_recent");
}
