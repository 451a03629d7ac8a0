/* test_allow.c: the allow-list: read, searched, replaced whole by a reload, and kept when the new one is bad. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "allow.h"
#include "t.h"

#define A "47021739-3426-40bf-9601-61b4b6d7c793"
#define B "aaaaaaaa-0000-4000-8000-000000000001"

static char	path[32];	/* this test's list file; "" until put() makes one */

/* Writes the list file (made on first use; done() removes it). */
static void
put(const char *text)
{
	FILE	*f;
	int	 fd;

	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "/tmp/bs-allow-XXXXXX");
		CHECK((fd = mkstemp(path)) != -1);
		close(fd);
	}
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* The list is the module's own state: each test leaves none behind. */
static void
done(void)
{
	if (path[0] != '\0')
		unlink(path);
	path[0] = '\0';
	allow_free();
}

static int
count(const char *customer, void *arg)
{
	(void)customer;
	(*(int *)arg)++;
	return 0;
}

static void
test_no_list_allows_everyone(void)
{
	char	err[256];
	int	n = 0;

	CHECK(allow_load(NULL, err, sizeof(err)) == 0);
	CHECK(allow_customer(A) && allow_customer(B) && allow_count() == 0);
	CHECK(allow_each(count, &n) == 0 && n == 0);
	CHECK(allow_load("", err, sizeof(err)) == 0 && allow_count() == 0);
	done();
}

static void
test_a_list_allows_only_its_customers(void)
{
	char	err[256];
	int	n = 0;

	put("# ours\n  {47021739-3426-40BF-9601-61B4B6D7C793}  \n\n");
	CHECK(allow_load(path, err, sizeof(err)) == 0);
	CHECK(allow_customer(A) && !allow_customer(B) && allow_count() == 1);
	CHECK(allow_each(count, &n) == 0 && n == 1);
	done();
}

static void
test_a_reload_replaces_the_list_whole(void)
{
	char err[256];

	put(A "\n");
	CHECK(allow_load(path, err, sizeof(err)) == 0 && allow_customer(A));
	put(B "\n");
	CHECK(allow_load(path, err, sizeof(err)) == 0);
	CHECK(!allow_customer(A) && allow_customer(B));
	done();
}

/* A list with an error, an empty one, a missing file: each refused, B's list stays. */
static void
test_a_bad_new_list_keeps_the_one_in_force(void)
{
	char err[256];

	put(B "\n");
	CHECK(allow_load(path, err, sizeof(err)) == 0);
	put(B "\nnot-a-guid\n");
	CHECK(allow_load(path, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, ":2: not a customer ID");
	CHECK(allow_customer(B) && !allow_customer(A));
	put("# nobody\n");
	CHECK(allow_load(path, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "no customer IDs");
	CHECK(allow_customer(B) && allow_count() == 1);
	CHECK(allow_load("/nonexistent/allowed", err, sizeof(err)) == -1);
	CHECK(allow_customer(B) && allow_count() == 1);
	done();
}

int
main(void)
{
	T_RUN(test_no_list_allows_everyone);
	T_RUN(test_a_list_allows_only_its_customers);
	T_RUN(test_a_reload_replaces_the_list_whole);
	T_RUN(test_a_bad_new_list_keeps_the_one_in_force);
	return t_done("test_allow");
}
