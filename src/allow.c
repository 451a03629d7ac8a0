/* allow.c: the allowed customers, read into a sorted array and searched per request; a reload swaps in a new one. */
#include "allow.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"

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

static int
read_file(struct allow_list *l, const char *path, char *err, size_t errsz)
{
	FILE	*f;
	char	 line[512], id[GUID_LEN + 1], *p, *e;
	void	*n;
	int	 lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == '\r' ||
		    e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e == p)
			continue;
		if (guid_parse(p, (size_t)(e - p), id) == -1) {
			snprintf(err, errsz, "%s:%d: not a customer ID (a GUID)",
			    path, lineno);
			fclose(f);
			return -1;
		}
		if ((n = realloc(l->ids, (l->n + 1) * sizeof(*l->ids))) == NULL) {
			snprintf(err, errsz, "out of memory");
			fclose(f);
			return -1;
		}
		l->ids = n;
		memcpy(l->ids[l->n++], id, sizeof(id));
	}
	fclose(f);
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
