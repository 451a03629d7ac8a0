/* test_gate.c: the page gate directory holds exactly the allowed customers (or "any"), revocations first, and leaves other files alone. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allow.h"
#include "gate.h"
#include "t.h"

#define A "47021739-3426-40bf-9601-61b4b6d7c793"
#define B "aaaaaaaa-0000-4000-8000-000000000001"

/* Each test's own: a temporary top, the gate directory under it (made by gate_sync), the list file. */
static char	top[32], dir[64], list[64];

static void
up(void)
{
	snprintf(top, sizeof(top), "/tmp/bs-gate-XXXXXX");
	CHECK(mkdtemp(top) != NULL);
	snprintf(dir, sizeof(dir), "%s/gate", top);
	snprintf(list, sizeof(list), "%s/allowed", top);
}

static void
down(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	CHECK(system(cmd) == 0);
	allow_free();
}

static int
has(const char *name)
{
	char		p[128];
	struct stat	st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

static int
files(void)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	int		 n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

static void
allowed(const char *text)
{
	FILE	*f = fopen(list, "w");
	char	 err[256];

	fputs(text, f);
	fclose(f);
	CHECK(allow_load(list, err, sizeof(err)) == 0);
}

static void
test_every_customer_is_any(void)
{
	char		err[256];
	struct stat	st;

	up();
	CHECK(allow_load(NULL, err, sizeof(err)) == 0);
	CHECK(gate_sync(dir, err, sizeof(err)) == 0);	/* creates the directory */
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0755);
	CHECK(has(GATE_ANY) && files() == 1);
	down();
}

/* From "any" to a list: a file per customer, and "any" is gone. */
static void
test_a_list_is_one_file_each_and_any_goes(void)
{
	char err[256];

	up();
	CHECK(allow_load(NULL, err, sizeof(err)) == 0);
	CHECK(gate_sync(dir, err, sizeof(err)) == 0 && has(GATE_ANY));
	allowed(A "\n" B "\n");
	CHECK(gate_sync(dir, err, sizeof(err)) == 0);
	CHECK(!has(GATE_ANY) && has(A) && has(B) && files() == 2);
	down();
}

static void
test_a_removed_customer_loses_its_file(void)
{
	char	err[256], p[128];
	FILE	*f;

	up();
	allowed(A "\n" B "\n");
	CHECK(gate_sync(dir, err, sizeof(err)) == 0 && has(A));
	/* Not ours: left alone. */
	snprintf(p, sizeof(p), "%s/README", dir);
	f = fopen(p, "w");
	fclose(f);
	allowed(B "\n");
	CHECK(gate_sync(dir, err, sizeof(err)) == 0);
	CHECK(!has(A) && has(B) && has("README") && files() == 2);
	down();
}

static void
test_no_directory_is_nothing_to_do(void)
{
	char err[256];

	CHECK(gate_sync(NULL, err, sizeof(err)) == 0);
	CHECK(gate_sync("", err, sizeof(err)) == 0);
	CHECK(gate_sync("/nonexistent/deeper/gate", err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "/nonexistent/deeper/gate");
	allow_free();
}

int
main(void)
{
	T_RUN(test_every_customer_is_any);
	T_RUN(test_a_list_is_one_file_each_and_any_goes);
	T_RUN(test_a_removed_customer_loses_its_file);
	T_RUN(test_no_directory_is_nothing_to_do);
	return t_done("test_gate");
}
