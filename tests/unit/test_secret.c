/* test_secret.c: secret files: loose permissions refused, one token-like line read, and an atomic replace (old or new, never half). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "t.h"

/* Each test's own directory and the secret file in it. */
static char	dir[32], path[64];

static void
up(void)
{
	snprintf(dir, sizeof(dir), "/tmp/bs-secret-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/secret", dir);
}

static void
down(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	unsetenv("CREDENTIALS_DIRECTORY");
}

static void
put(const char *p, const char *text, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	chmod(p, mode);
}

/* Closed to group and others: 0600 passes; a missing file, a directory, any group or other bit do not. */
static void
test_loose_permissions_are_refused(void)
{
	char err[512];

	up();
	CHECK(secret_check(path, err, sizeof(err)) == -1);
	put(path, "  s3cr3t~value\n", 0600);
	CHECK(secret_check(path, err, sizeof(err)) == 0);
	chmod(path, 0644);
	CHECK(secret_check(path, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "chmod 600");
	CHECK_CONTAINS(err, "0644");
	chmod(path, 0602);
	CHECK(secret_check(path, err, sizeof(err)) == -1);
	CHECK(secret_check(dir, err, sizeof(err)) == -1);
	down();
}

/* systemd's credentials directory may grant reading through an ACL (group bits): accepted there only. */
static void
test_group_read_is_accepted_in_the_credentials_directory_only(void)
{
	char err[512];

	up();
	put(path, "s3cr3t\n", 0440);
	CHECK(secret_check(path, err, sizeof(err)) == -1);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	CHECK(secret_check(path, err, sizeof(err)) == 0);
	chmod(path, 0444);
	CHECK(secret_check(path, err, sizeof(err)) == -1);
	down();
}

/* One line of visible ASCII, the blanks around it dropped. */
static void
test_one_token_like_line_is_read(void)
{
	char err[512], out[64];

	up();
	put(path, "  s3cr3t~value\n", 0600);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == 0);
	CHECK_STR(out, "s3cr3t~value");
	down();
}

/* Two words, blanks only, too long: refused, the content never in the message, out wiped. */
static void
test_what_is_not_one_token_is_refused_unechoed(void)
{
	char	err[512], out[64], big[200], zero[64];

	up();
	memset(zero, 0, sizeof(zero));
	put(path, "two words", 0600);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == -1);
	CHECK(strstr(err, "two") == NULL);
	CHECK(memcmp(out, zero, sizeof(out)) == 0);
	put(path, " \n", 0600);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == -1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put(path, big, 0600);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "longer");
	CHECK(memcmp(out, zero, sizeof(out)) == 0);
	down();
}

/* Replacing: new content, mode 0600 whatever it was, no temporary left. */
static void
test_a_replace_is_0600_and_leaves_no_temporary(void)
{
	char		 err[512], out[64], cmd[128];
	struct stat	 st;

	up();
	put(path, "old", 0640);
	CHECK(secret_replace(path, "rotated-refresh-token", err,
	    sizeof(err)) == 0);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == 0);
	CHECK_STR(out, "rotated-refresh-token");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	snprintf(cmd, sizeof(cmd), "rm -f %s/secret; rmdir %s", dir, dir);
	CHECK(system(cmd) == 0);	/* fails if a temporary file was left */
	snprintf(path, sizeof(path), "%s/none/secret", dir);
	CHECK(secret_replace(path, "x", err, sizeof(err)) == -1);
	down();
}

/* A temporary file a crash left beside the secret (path.XXXXXX) is never read for it, nor moved into place. */
static void
test_a_temporary_left_behind_is_not_taken(void)
{
	char err[512], out[64], left[96];

	up();
	put(path, "the-real-one\n", 0600);
	snprintf(left, sizeof(left), "%s.Ab12Cd", path);
	put(left, "half-writ", 0600);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == 0);
	CHECK_STR(out, "the-real-one");
	CHECK(secret_replace(path, "the-next-one", err, sizeof(err)) == 0);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == 0);
	CHECK_STR(out, "the-next-one");
	CHECK(secret_read(left, out, sizeof(out), err, sizeof(err)) == 0);
	CHECK_STR(out, "half-writ");	/* not ours to touch */
	down();
}

/* Two values of 4000 bytes each: long enough that a write in place would be seen half done. */
#define LONG	4000
static char	value_a[LONG + 1], value_b[LONG + 1];
static int	stop_reading;
static long	reads, torn;

static void *
reader(void *arg)
{
	static char	 out[LONG + 2];
	char		 err[512];

	(void)arg;
	while (!__atomic_load_n(&stop_reading, __ATOMIC_ACQUIRE)) {
		/* Every read finds a whole file: old or new, never missing, empty or half. */
		if (secret_read(path, out, sizeof(out), err, sizeof(err)) != 0 ||
		    (strcmp(out, value_a) != 0 && strcmp(out, value_b) != 0))
			__atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&reads, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void
test_readers_see_the_old_or_the_new_never_half(void)
{
	pthread_t	 t;
	char		 err[512];
	int		 i, ok = 1;

	up();
	memset(value_a, 'a', LONG);
	memset(value_b, 'b', LONG);
	put(path, value_a, 0600);
	reads = torn = 0;
	stop_reading = 0;
	CHECK(pthread_create(&t, NULL, reader, NULL) == 0);
	for (i = 0; i < 300; i++)
		if (secret_replace(path, i % 2 ? value_a : value_b, err,
		    sizeof(err)) != 0)
			ok = 0;
	__atomic_store_n(&stop_reading, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	CHECK(ok);
	CHECK(reads > 0 && torn == 0);
	down();
}

int
main(void)
{
	T_RUN(test_loose_permissions_are_refused);
	T_RUN(test_group_read_is_accepted_in_the_credentials_directory_only);
	T_RUN(test_one_token_like_line_is_read);
	T_RUN(test_what_is_not_one_token_is_refused_unechoed);
	T_RUN(test_a_replace_is_0600_and_leaves_no_temporary);
	T_RUN(test_a_temporary_left_behind_is_not_taken);
	T_RUN(test_readers_see_the_old_or_the_new_never_half);
	return t_done("test_secret");
}
