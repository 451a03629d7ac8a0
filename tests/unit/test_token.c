/* test_token.c: the token file is read, trimmed, re-read when it changes, and refused when unusable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"
#include "token.h"

static void
write_file(const char *path, const char *text)
{
	char	 tmp[600];
	FILE	*f;

	/* Write and rename, as a rotating agent would: a new inode each time. */
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	fputs(text, f);
	fclose(f);
	rename(tmp, path);
}

int
main(void)
{
	char			 dir[] = "/tmp/bs-token-XXXXXX", path[600];
	char			 tok[TOKEN_MAX], *big;
	struct token_source	*ts;
	struct token_opts	 o;
	FILE			*devnull = freopen("/dev/null", "w", stderr);

	(void)devnull;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/token", dir);
	memset(&o, 0, sizeof(o));
	o.kind = TOKEN_FROM_FILE;
	o.token_file = path;
	umask(077);
	ts = token_source_new(&o);
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);	/* no file yet */

	write_file(path, "  first-token\n");
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK_STR(tok, "first-token");
	write_file(path, "second.token-value_2\r\n");
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK_STR(tok, "second.token-value_2");

	/* A token that could split a header line is refused, and the old one is not kept. */
	write_file(path, "abc\r\nX-Evil: 1");
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	write_file(path, "");
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	write_file(path, "tok\xc3\xa9n");
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	big = malloc(TOKEN_MAX + 10);
	memset(big, 'a', TOKEN_MAX + 9);
	big[TOKEN_MAX + 9] = '\0';
	write_file(path, big);
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	free(big);

	write_file(path, "third");
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK_STR(tok, "third");
	/* A buffer too small for the token is a failure, not a truncation. */
	CHECK(token_get(ts, tok, 3) == BS_ERR_TOKEN);
	/* A token file others may read is refused, and the old token with it. */
	CHECK(chmod(path, 0644) == 0);
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	write_file(path, "third");
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_OK);
	/* A file source has nothing to renew: a refusal is final. */
	CHECK(token_refused(ts, "third", 0) == 0);
	/* While the file is briefly gone (rotation), the last good token serves. */
	unlink(path);
	CHECK(token_get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK_STR(tok, "third");
	token_source_free(ts);
	rmdir(dir);
	return t_done("test_token");
}
