/* secret.c: secret files: refuse loose permissions, read one token-like line, replace atomically. */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Whether path is in systemd's credentials directory (LoadCredential=).
 * systemd may give the service read access there through an ACL, which
 * stat shows as group bits (0440): the directory itself is private.
 */
static int
in_credentials_dir(const char *path)
{
	const char	*d = getenv("CREDENTIALS_DIRECTORY");
	size_t		 n;

	if (d == NULL || d[0] != '/')
		return 0;
	n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		n--;
	return strncmp(path, d, n) == 0 && path[n] == '/' &&
	    strstr(path + n, "/..") == NULL;
}

int
secret_check(const char *path, char *err, size_t errsz)
{
	struct stat	 st;
	mode_t		 closed;

	if (stat(path, &st) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", path);
		return -1;
	}
	closed = in_credentials_dir(path) ? 007 : 077;
	if ((st.st_mode & closed) != 0) {
		snprintf(err, errsz, "%s holds a secret but group or others "
		    "may access it (mode %04o): run chmod 600 %s", path,
		    (unsigned int)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

int
secret_read(const char *path, char *out, size_t outsz, char *err,
    size_t errsz)
{
	char	*p, *e;
	ssize_t	 n;
	size_t	 len = 0, i;
	int	 fd, rc = -1;

	if (outsz < 2) {
		snprintf(err, errsz, "%s: no room", path);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* One byte more than fits tells "too long" from "just fits". */
	while (len < outsz && (n = read(fd, out + len, outsz - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len == outsz) {
		snprintf(err, errsz, "%s: longer than the %zu bytes accepted",
		    path, outsz - 1);
		goto out;
	}
	out[len] = '\0';
	p = out;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	e = out + len;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	if (*p == '\0') {
		snprintf(err, errsz, "%s: empty", path);
		goto out;
	}
	/* Visible ASCII only: anything else could break out of a header or a form. */
	for (i = 0; p[i] != '\0'; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f) {
			snprintf(err, errsz, "%s: a character that cannot go "
			    "in a header (at byte %zu)", path, i);
			goto out;
		}
	memmove(out, p, strlen(p) + 1);
	rc = 0;
out:
	close(fd);
	if (rc == -1)
		explicit_bzero(out, outsz);
	return rc;
}

int
secret_replace(const char *path, const char *value, char *err, size_t errsz)
{
	char	*tmp = NULL, *dcopy = NULL;
	size_t	 len = strlen(value), off = 0;
	ssize_t	 n;
	int	 fd = -1, dfd = -1, rc = -1;

	if (asprintf(&tmp, "%s.XXXXXX", path) == -1) {
		tmp = NULL;
		snprintf(err, errsz, "%s: out of memory", path);
		goto out;
	}
	/* mkstemp creates the file 0600, whatever the umask. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: cannot create a temporary file "
		    "beside it: %s", path, strerror(errno));
		goto out;
	}
	while (off < len + 1) {
		const char *src = off < len ? value + off : "\n";
		size_t want = off < len ? len - off : 1;

		if ((n = write(fd, src, want)) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	n = close(fd);
	fd = -1;
	if (n == -1) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) == -1) {
		snprintf(err, errsz, "%s: cannot rename into place: %s", path,
		    strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* The rename itself must reach the disk too. */
	if ((dcopy = strdup(path)) != NULL &&
	    (dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		(void)fsync(dfd);
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(dcopy);
	return rc;
}
