/* token.c: the bearer token from a file, cached and re-read when the file changes. */
#include "token.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

struct token_source {
	pthread_mutex_t	 lock;
	char		*path;
	char		*token;		/* NULL until read */
	struct stat	 seen;		/* of the file we read it from */
	int		 warned;	/* the last failure was logged */
	int		 bad;		/* the file as seen is unusable: wait for it to change */
};

struct token_source *
token_source_file(const char *path)
{
	struct token_source *ts;

	if ((ts = calloc(1, sizeof(*ts))) == NULL)
		return NULL;
	if ((ts->path = strdup(path)) == NULL) {
		free(ts);
		return NULL;
	}
	pthread_mutex_init(&ts->lock, NULL);
	return ts;
}

static void
forget(struct token_source *ts)
{
	if (ts->token != NULL) {
		explicit_bzero(ts->token, strlen(ts->token));
		free(ts->token);
		ts->token = NULL;
	}
}

void
token_source_free(struct token_source *ts)
{
	if (ts == NULL)
		return;
	forget(ts);
	pthread_mutex_destroy(&ts->lock);
	free(ts->path);
	free(ts);
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Reads and checks the file; on success replaces the cached token. */
static int
reload(struct token_source *ts, const struct stat *st)
{
	char	 buf[TOKEN_MAX + 2], *p, *e;
	ssize_t	 n;
	size_t	 len = 0, i;
	int	 fd;

	if ((fd = open(ts->path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_err("token file %s: %s", ts->path, strerror(errno));
		return -1;
	}
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("token file %s: %s", ts->path, strerror(errno));
			close(fd);
			explicit_bzero(buf, sizeof(buf));
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	p = buf;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	e = buf + len;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	if (len >= sizeof(buf) - 1 || *p == '\0') {
		log_err("token file %s: %s", ts->path, *p == '\0' ? "empty" :
		    "longer than the largest token accepted");
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	/* Visible ASCII only: anything else could break out of the header line. */
	for (i = 0; p[i] != '\0'; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f) {
			log_err("token file %s: the token has a character "
			    "that cannot go in a header (at byte %zu)",
			    ts->path, i);
			explicit_bzero(buf, sizeof(buf));
			return -1;
		}
	forget(ts);
	ts->token = strdup(p);
	explicit_bzero(buf, sizeof(buf));
	if (ts->token == NULL)
		return -1;
	ts->seen = *st;
	log_info("token: read from %s", ts->path);
	return 0;
}

int
token_get(struct token_source *ts, char *out, size_t outsz)
{
	struct stat	 st;
	int		 rc = 0;
	size_t		 n;

	pthread_mutex_lock(&ts->lock);
	if (stat(ts->path, &st) == -1) {
		if (!ts->warned)
			log_err("token file %s: %s", ts->path, strerror(errno));
		ts->warned = 1;
		/* Keep serving with the token we have: a rotation may be under way. */
		rc = ts->token != NULL ? 0 : -1;
	} else if (!same_file(&st, &ts->seen) ||
	    (ts->token == NULL && !ts->bad)) {
		ts->warned = 0;
		ts->bad = reload(ts, &st) == -1;
		if (ts->bad) {
			/* An unusable new file must not silently keep an old token alive. */
			forget(ts);
			ts->seen = st;
		}
	}
	if (ts->bad)
		rc = -1;
	if (rc == 0 && ts->token != NULL &&
	    (n = strlen(ts->token)) < outsz) {
		memcpy(out, ts->token, n + 1);
	} else
		rc = -1;
	pthread_mutex_unlock(&ts->lock);
	return rc;
}
