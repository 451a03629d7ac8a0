/* allow.c: the allowed customers, read into a sorted array and searched per request; a reload swaps in a new one. */
#include "allow.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"
#include "lines.h"

struct allow_list {
	char	(*ids)[GUID_LEN + 1];
	size_t	 n;		/* 0: every customer is allowed */
};

/* The list in force; readers (accept threads) hold the lock only for a search. */
static struct allow_list	*cur;
static pthread_rwlock_t		 lock = PTHREAD_RWLOCK_INITIALIZER;

static void
list_free(struct allow_list *l)
{
	if (l == NULL)
		return;
	free(l->ids);
	free(l);
}

void
allow_free(void)
{
	pthread_rwlock_wrlock(&lock);
	list_free(cur);
	cur = NULL;
	pthread_rwlock_unlock(&lock);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* One line: a customer ID, maybe followed by a comment. */
static int
one_id(char *line, const struct lines_at *at, void *arg)
{
	struct allow_list	*l = arg;
	char			 id[GUID_LEN + 1], *p;
	void			*n;

	if ((p = strchr(line, '#')) != NULL)
		*p = '\0';
	line = lines_trim(line);
	if (guid_parse(line, strlen(line), id) == -1)
		return lines_refuse(at, "not a customer ID (a GUID)");
	if ((n = realloc(l->ids, (l->n + 1) * sizeof(*l->ids))) == NULL)
		return lines_refuse(at, "out of memory");
	l->ids = n;
	memcpy(l->ids[l->n++], id, sizeof(id));
	return 0;
}

static int
read_file(struct allow_list *l, const char *path, char *err, size_t errsz)
{
	if (lines_read(path, one_id, l, err, errsz) == -1)
		return -1;
	if (l->n == 0) {
		/* An empty list would let nobody in: say so rather than guess. */
		snprintf(err, errsz, "%s: no customer IDs in it", path);
		return -1;
	}
	qsort(l->ids, l->n, sizeof(*l->ids), cmp);
	return 0;
}

int
allow_load(const char *path, char *err, size_t errsz)
{
	struct allow_list *l, *old;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (path != NULL && path[0] != '\0' &&
	    read_file(l, path, err, errsz) == -1) {
		list_free(l);
		return -1;	/* the list in force stays */
	}
	pthread_rwlock_wrlock(&lock);
	old = cur;
	cur = l;
	pthread_rwlock_unlock(&lock);
	list_free(old);
	return 0;
}

int
allow_customer(const char *customer)
{
	int ok;

	pthread_rwlock_rdlock(&lock);
	ok = cur == NULL || cur->n == 0 || bsearch(customer, cur->ids, cur->n,
	    sizeof(*cur->ids), cmp) != NULL;
	pthread_rwlock_unlock(&lock);
	return ok;
}

size_t
allow_count(void)
{
	size_t n;

	pthread_rwlock_rdlock(&lock);
	n = cur != NULL ? cur->n : 0;
	pthread_rwlock_unlock(&lock);
	return n;
}

int
allow_each(int (*fn)(const char *customer, void *arg), void *arg)
{
	size_t	 i;
	int	 rc = 0;

	pthread_rwlock_rdlock(&lock);
	for (i = 0; cur != NULL && i < cur->n && rc == 0; i++)
		rc = fn(cur->ids[i], arg);
	pthread_rwlock_unlock(&lock);
	return rc;
}
