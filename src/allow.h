/* allow.h: which customers this server may show (BATCHSTATUS_ALLOWED_CUSTOMERS); the rest get 403 without an upstream call. */
#ifndef BATCHSTATUS_ALLOW_H
#define BATCHSTATUS_ALLOW_H

#include <stddef.h>

/*
 * Reads a file of customer IDs: one GUID per line, # comments and blank
 * lines allowed. NULL or "" lets every customer through. At start, and
 * again on a reload: the new list replaces the one in force at once (for
 * requests routed from then on); -1 with the file and line in err on
 * failure, and the list in force stays.
 */
int	allow_load(const char *path, char *err, size_t errsz);
void	allow_free(void);
/* Whether a canonical customer GUID may be shown. */
int	allow_customer(const char *customer);
/* How many customers the list holds; 0 when every customer is allowed. */
size_t	allow_count(void);
/* Calls fn for every allowed customer (none when every one is), until it returns non-zero; that value. */
int	allow_each(int (*fn)(const char *customer, void *arg), void *arg);

#endif
