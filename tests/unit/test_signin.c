/* test_signin.c: token endpoint answers (v1 strings, v2 numbers, Entra errors, junk) and secret files (modes, reading, atomic replace). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "signin.h"
#include "t.h"

static struct signin_answer a;

static int
parse(long status, const char *body)
{
	signin_answer_free(&a);
	return signin_parse(status, body, strlen(body), &a);
}

static void
put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	chmod(path, mode);
}

int
main(void)
{
	char		 dir[] = "/tmp/bs-signin-XXXXXX", path[600], out[64];
	char		 err[512], big[200];
	struct stat	 st;

	/* v1: expires_in is a string; v2: a number. */
	CHECK(parse(200, "{\"token_type\":\"Bearer\",\"expires_in\":\"3599\","
	    "\"ext_expires_in\":\"3599\",\"expires_on\":\"1700000000\","
	    "\"resource\":\"https://api.partnercenter.microsoft.com\","
	    "\"access_token\":\"eyJ0eXAi.abc.def\"}") == 0);
	CHECK(a.ok && a.expires_in == 3599 && a.refresh_token == NULL);
	CHECK_STR(a.access_token, "eyJ0eXAi.abc.def");
	CHECK(parse(200, "{\"token_type\":\"Bearer\",\"expires_in\":3600,"
	    "\"access_token\":\"t2\",\"refresh_token\":\"r2\"} \r\n") == 0);
	CHECK(a.expires_in == 3600);
	CHECK_STR(a.refresh_token, "r2");

	/* Entra's errors: the OAuth word and the AADSTS code, nothing else. */
	CHECK(parse(401, "{\"error\":\"invalid_client\",\"error_description\":"
	    "\"AADSTS7000215: Invalid client secret provided.\\r\\nTrace ID: "
	    "abc\\r\\nCorrelation ID: def\",\"error_codes\":[7000215]}") == -1);
	CHECK_STR(a.error, "invalid_client");
	CHECK_STR(a.aadsts, "AADSTS7000215");
	CHECK(a.http_status == 401 && a.access_token == NULL);
	CHECK(strstr(a.detail, "Trace") == NULL);
	CHECK(parse(400, "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"AADSTS70000: The grant is expired.\"}") == -1);
	CHECK_STR(a.aadsts, "AADSTS70000");
	/* An error word that is not one is dropped, not echoed. */
	CHECK(parse(400, "{\"error\":\"<script>\",\"error_description\":\"x\"}")
	    == -1);
	CHECK_STR(a.error, "http_400");
	CHECK_STR(a.aadsts, "");
	CHECK(parse(500, "<html>Service unavailable</html>") == -1);
	CHECK_STR(a.error, "http_500");

	/* A 200 that is not a usable token is a failure too. */
	CHECK(parse(200, "<html>Sign in</html>") == -1);
	CHECK_STR(a.error, "bad_answer");
	CHECK(parse(200, "{\"expires_in\":\"3599\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":\"0\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":\"12x\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":-5}") == -1);
	CHECK(parse(200, "{\"access_token\":\"a b\",\"expires_in\":60}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\\r\\nX: y\",\"expires_in\":60}")
	    == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":60,"
	    "\"token_type\":\"MAC\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":60,"
	    "\"refresh_token\":\"\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":60} x") == -1);
	CHECK(parse(200, "[]") == -1);
	CHECK(parse(200, "") == -1);
	signin_answer_free(&a);

	/* Secret files: closed to group and others, one visible-ASCII line. */
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/secret", dir);
	CHECK(secret_check(path, err, sizeof(err)) == -1);
	put(path, "  s3cr3t~value\n", 0600);
	CHECK(secret_check(path, err, sizeof(err)) == 0);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == 0);
	CHECK_STR(out, "s3cr3t~value");
	chmod(path, 0644);
	CHECK(secret_check(path, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "chmod 600");
	CHECK_CONTAINS(err, "0644");
	chmod(path, 0602);
	CHECK(secret_check(path, err, sizeof(err)) == -1);
	CHECK(secret_check(dir, err, sizeof(err)) == -1);
	/* systemd's credentials directory may grant reading through an ACL (group bits): accepted there only. */
	chmod(path, 0440);
	CHECK(secret_check(path, err, sizeof(err)) == -1);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	CHECK(secret_check(path, err, sizeof(err)) == 0);
	chmod(path, 0444);
	CHECK(secret_check(path, err, sizeof(err)) == -1);
	unsetenv("CREDENTIALS_DIRECTORY");
	put(path, "two words", 0600);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == -1);
	CHECK(strstr(err, "two") == NULL);
	put(path, " \n", 0600);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == -1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put(path, big, 0600);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "longer");

	/* Replacing: new content, mode 0600 whatever it was, no temporary left. */
	put(path, "old", 0640);
	CHECK(secret_replace(path, "rotated-refresh-token", err,
	    sizeof(err)) == 0);
	CHECK(secret_read(path, out, sizeof(out), err, sizeof(err)) == 0);
	CHECK_STR(out, "rotated-refresh-token");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	snprintf(big, sizeof(big), "rm -f %s/secret; rmdir %s", dir, dir);
	CHECK(system(big) == 0);	/* fails if a temporary file was left */
	snprintf(path, sizeof(path), "%s/none/secret", dir);
	CHECK(secret_replace(path, "x", err, sizeof(err)) == -1);
	return t_done("test_signin");
}
