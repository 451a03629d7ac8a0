/* gate.c: the page gate directory nginx consults before serving or keeping a batch page (see nginx/batchstatus.locations.conf.in). */
#include "gate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allow.h"
#include "guid.h"

struct sync {
	int	 dfd;
	int	 failed;
	char	*err;
	size_t	 errsz;
};

static int
fail(struct sync *s, const char *what, const char *name)
{
	if (!s->failed)
		snprintf(s->err, s->errsz, "%s %s: %s", what, name,
		    strerror(errno));
	s->failed = 1;
	return 0;	/* carry on with the others */
}

/* Whether name is one of ours, and still wanted. */
static int
wanted(const char *name, int *ours)
{
	char id[GUID_LEN + 1];

	*ours = 1;
	if (strcmp(name, GATE_ANY) == 0)
		return allow_count() == 0;
	if (strlen(name) == GUID_LEN && guid_parse(name, GUID_LEN, id) == 0 &&
	    strcmp(id, name) == 0)
		return allow_count() > 0 && allow_customer(name);
	*ours = 0;
	return 0;
}

static int
add(const char *name, void *arg)
{
	struct sync	*s = arg;
	int		 fd;

	fd = openat(s->dfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1)
		return fail(s, "cannot create", name);
	close(fd);
	return 0;
}

int
gate_sync(const char *dir, char *err, size_t errsz)
{
	struct sync	 s;
	struct dirent	*de;
	DIR		*d;
	int		 ours;

	if (dir == NULL || dir[0] == '\0')
		return 0;
	memset(&s, 0, sizeof(s));
	s.err = err;
	s.errsz = errsz;
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		snprintf(err, errsz, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((s.dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fchmod(s.dfd, 0755) == -1 ||	/* whatever the umask (systemd's is 0077) */
	    (d = fdopendir(dup(s.dfd))) == NULL) {
		snprintf(err, errsz, "cannot open %s: %s", dir, strerror(errno));
		if (s.dfd != -1)
			close(s.dfd);
		return -1;
	}
	/* Revocations first: nginx stops serving those pages before anything is added. */
	while ((de = readdir(d)) != NULL)
		if (!wanted(de->d_name, &ours) && ours &&
		    unlinkat(s.dfd, de->d_name, 0) == -1 && errno != ENOENT)
			fail(&s, "cannot remove", de->d_name);
	closedir(d);
	if (allow_count() == 0)
		add(GATE_ANY, &s);
	else
		allow_each(add, &s);
	close(s.dfd);
	return s.failed ? -1 : 0;
}
