/* allow.c: the allowed customers, read once into a sorted array and searched per request. */
#include "allow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"

static char	(*ids)[GUID_LEN + 1];
static size_t	 nids;

void
allow_free(void)
{
	free(ids);
	ids = NULL;
	nids = 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
allow_load(const char *path, char *err, size_t errsz)
{
	FILE	*f;
	char	 line[512], id[GUID_LEN + 1], *p, *e;
	void	*n;
	int	 lineno = 0;

	allow_free();
	if (path == NULL || path[0] == '\0')
		return 0;
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
			allow_free();
			return -1;
		}
		if ((n = realloc(ids, (nids + 1) * sizeof(*ids))) == NULL) {
			snprintf(err, errsz, "out of memory");
			fclose(f);
			allow_free();
			return -1;
		}
		ids = n;
		memcpy(ids[nids++], id, sizeof(id));
	}
	fclose(f);
	if (nids == 0) {
		/* An empty list would let nobody in: say so rather than guess. */
		snprintf(err, errsz, "%s: no customer IDs in it", path);
		return -1;
	}
	qsort(ids, nids, sizeof(*ids), cmp);
	return 0;
}

int
allow_customer(const char *customer)
{
	if (nids == 0)
		return 1;
	return bsearch(customer, ids, nids, sizeof(*ids), cmp) != NULL;
}

size_t
allow_count(void)
{
	return nids;
}
